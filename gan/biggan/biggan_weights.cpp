// Loads a converted BigGAN-deep: the config from __metadata__, then each tensor the config implies, by its
// reference name, with its exact shape; a file with a missing, misshaped or left-over tensor is refused.
#include "gan/biggan/biggan_weights.h"

#include <cstdint>
#include <string>
#include <unordered_set>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"

namespace genint {
namespace {

std::string shape_text(const std::vector<std::uint64_t>& shape) {
  std::string text = "[";
  for (std::size_t index = 0; index < shape.size(); ++index) {
    text += (index ? ", " : "") + std::to_string(shape[index]);
  }
  return text + "]";
}

// Reads tensors by name and remembers which it read, so tensors the config does not explain can be reported.
class CheckedTensorReader {
 public:
  explicit CheckedTensorReader(const io::SafetensorsFile& file) : file_(file) {}

  std::vector<float> read(const std::string& name, const std::vector<std::uint64_t>& shape) {
    const std::string where = file_.source_name() + ": BigGAN tensor " + name;
    GENINT_CHECK(file_.contains(name), where + " is missing (expected shape " + shape_text(shape) + ")");
    const io::SafetensorsTensor& tensor = file_.tensor(name);
    GENINT_CHECK(tensor.shape == shape,
                 where + " has shape " + shape_text(tensor.shape) + ", the config needs " + shape_text(shape));
    read_.insert(name);
    return file_.read_as_float(name);
  }

  BigGanConvWeights conv(const std::string& name, int out_channels, int in_channels, int kernel, bool has_bias) {
    BigGanConvWeights conv;
    conv.out_channels = out_channels;
    conv.in_channels = in_channels;
    conv.kernel = kernel;
    const auto out = static_cast<std::uint64_t>(out_channels);
    conv.weight = read(name + ".weight", {out, static_cast<std::uint64_t>(in_channels),
                                          static_cast<std::uint64_t>(kernel), static_cast<std::uint64_t>(kernel)});
    if (has_bias) conv.bias = read(name + ".bias", {out});
    return conv;
  }

  BigGanNormWeights norm(const std::string& name, int channels, const BigGanConfig& config, bool conditional) {
    BigGanNormWeights norm;
    norm.channels = channels;
    const auto width = static_cast<std::uint64_t>(channels);
    const auto stats = static_cast<std::uint64_t>(config.n_stats);
    norm.running_means = read(name + ".running_means", {stats, width});
    norm.running_vars = read(name + ".running_vars", {stats, width});
    if (conditional) {
      const auto condition = static_cast<std::uint64_t>(config.condition_dim());
      norm.scale = read(name + ".scale.weight", {width, condition});
      norm.offset = read(name + ".offset.weight", {width, condition});
    } else {
      norm.weight = read(name + ".weight", {width});
      norm.bias = read(name + ".bias", {width});
    }
    return norm;
  }

  // Every tensor must have been read: a left-over one means the file was made for another config.
  void check_nothing_left() const {
    for (const io::SafetensorsTensor& tensor : file_.tensors()) {
      GENINT_CHECK(read_.count(tensor.name) != 0, file_.source_name() + ": BigGAN tensor " + tensor.name +
                                                      " is not part of the network its config describes");
    }
  }

 private:
  const io::SafetensorsFile& file_;
  std::unordered_set<std::string> read_;
};

BigGanBlockWeights read_block(CheckedTensorReader& reader, const BigGanConfig& config, int block) {
  const std::string prefix = "generator.layers." + std::to_string(config.module_index_of_block(block)) + ".";
  const int in = config.block_in_channels(block);
  const int middle = config.block_middle_channels(block);
  BigGanBlockWeights weights;
  weights.norms[0] = reader.norm(prefix + "bn_0", in, config, true);
  for (int index = 1; index < 4; ++index) {
    weights.norms[index] = reader.norm(prefix + "bn_" + std::to_string(index), middle, config, true);
  }
  weights.convs[0] = reader.conv(prefix + "conv_0", middle, in, 1, true);
  weights.convs[1] = reader.conv(prefix + "conv_1", middle, middle, 3, true);
  weights.convs[2] = reader.conv(prefix + "conv_2", middle, middle, 3, true);
  weights.convs[3] = reader.conv(prefix + "conv_3", config.block_out_channels(block), middle, 1, true);
  return weights;
}

BigGanAttentionWeights read_attention(CheckedTensorReader& reader, const BigGanConfig& config) {
  const std::string prefix = "generator.layers." + std::to_string(config.attention_layer_position) + ".";
  const int channels = config.attention_channels();
  BigGanAttentionWeights attention;
  attention.theta = reader.conv(prefix + "snconv1x1_theta", channels / 8, channels, 1, false);
  attention.phi = reader.conv(prefix + "snconv1x1_phi", channels / 8, channels, 1, false);
  attention.g = reader.conv(prefix + "snconv1x1_g", channels / 2, channels, 1, false);
  attention.o = reader.conv(prefix + "snconv1x1_o_conv", channels, channels / 2, 1, false);
  attention.gamma = reader.read(prefix + "gamma", {1}).front();
  return attention;
}

}  // namespace

BigGanWeights BigGanWeights::load(const std::string& path) {
  return from_file(io::SafetensorsFile::open(path));
}

BigGanWeights BigGanWeights::from_file(const io::SafetensorsFile& file) {
  const auto& metadata = file.metadata();
  const auto format = metadata.find("format");
  GENINT_CHECK(format != metadata.end() && format->second == kBigGanWeightFormat,
               file.source_name() + ": not a converted BigGAN-deep (metadata \"format\" must be \"" +
                   kBigGanWeightFormat + "\"; convert with tools/convert_biggan.py)");
  const auto config_text = metadata.find("config");
  GENINT_CHECK(config_text != metadata.end(), file.source_name() + ": metadata has no \"config\"");
  BigGanWeights weights;
  weights.config = BigGanConfig::from_json(config_text->second, file.source_name());
  const BigGanConfig& config = weights.config;
  CheckedTensorReader reader(file);
  weights.embeddings = reader.read(
      "embeddings.weight", {static_cast<std::uint64_t>(config.z_dim), static_cast<std::uint64_t>(config.num_classes)});
  const auto features = static_cast<std::uint64_t>(config.gen_z_features());
  weights.gen_z_weight =
      reader.read("generator.gen_z.weight", {features, static_cast<std::uint64_t>(config.condition_dim())});
  weights.gen_z_bias = reader.read("generator.gen_z.bias", {features});
  for (int block = 0; block < config.block_count(); ++block)
    weights.blocks.push_back(read_block(reader, config, block));
  if (config.has_attention()) weights.attention = read_attention(reader, config);
  weights.final_norm = reader.norm("generator.bn", config.channel_width, config, false);
  weights.to_rgb = reader.conv("generator.conv_to_rgb", 3, config.channel_width, 3, true);
  reader.check_nothing_left();
  return weights;
}

}  // namespace genint
