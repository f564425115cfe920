// Loads a converted BigGAN-deep (the config from __metadata__, then each tensor the config implies by its reference
// name and exact shape; missing, misshaped or left-over tensors are refused), or draws seeded random weights.
#include "gan/biggan/biggan_weights.h"

#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"

namespace genint {
namespace {

// Reads tensors by name and remembers which it read, so tensors the config does not explain can be reported.
class CheckedTensorReader {
 public:
  explicit CheckedTensorReader(const io::SafetensorsFile& file) : file_(file) {}

  std::vector<float> read(const std::string& name, const std::vector<std::uint64_t>& shape) {
    const std::string where = file_.source_name() + ": BigGAN tensor " + name;
    GENINT_CHECK(file_.contains(name),
                 where + " is missing (expected shape " + io::safetensors_shape_text(shape) + ")");
    const io::SafetensorsTensor& tensor = file_.tensor(name);
    GENINT_CHECK(tensor.shape == shape, where + " has shape " + io::safetensors_shape_text(tensor.shape) +
                                            ", the config needs " + io::safetensors_shape_text(shape));
    read_.insert(name);
    return file_.read_as_float(name);
  }

  BigGanConvWeights conv(const std::string& name, int out_channels, int in_channels, int kernel, bool has_bias) {
    BigGanConvWeights conv{out_channels, in_channels, kernel, {}, {}};
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

  float gamma(const std::string& name) { return read(name, {1}).front(); }

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

// The GenBlocks, attention, final norm and to_rgb in the reference's module order, each made by `make` from its name
// in a converted file and its size: the loader reads and checks them, random_biggan_weights draws them in this order.
template <typename Make>
void make_layers(const BigGanConfig& config, Make& make, BigGanWeights& weights) {
  for (int block = 0; block < config.block_count(); ++block) {
    const std::string prefix = "generator.layers." + std::to_string(config.module_index_of_block(block)) + ".";
    const int in = config.block_in_channels(block), middle = config.block_middle_channels(block);
    BigGanBlockWeights block_weights;
    block_weights.norms[0] = make.norm(prefix + "bn_0", in, config, true);
    for (int index = 1; index < 4; ++index)
      block_weights.norms[index] = make.norm(prefix + "bn_" + std::to_string(index), middle, config, true);
    block_weights.convs[0] = make.conv(prefix + "conv_0", middle, in, 1, true);
    block_weights.convs[1] = make.conv(prefix + "conv_1", middle, middle, 3, true);
    block_weights.convs[2] = make.conv(prefix + "conv_2", middle, middle, 3, true);
    block_weights.convs[3] = make.conv(prefix + "conv_3", config.block_out_channels(block), middle, 1, true);
    weights.blocks.push_back(std::move(block_weights));
  }
  if (config.has_attention()) {
    const std::string prefix = "generator.layers." + std::to_string(config.attention_layer_position) + ".";
    const int channels = config.attention_channels();
    weights.attention.theta = make.conv(prefix + "snconv1x1_theta", channels / 8, channels, 1, false);
    weights.attention.phi = make.conv(prefix + "snconv1x1_phi", channels / 8, channels, 1, false);
    weights.attention.g = make.conv(prefix + "snconv1x1_g", channels / 2, channels, 1, false);
    weights.attention.o = make.conv(prefix + "snconv1x1_o_conv", channels, channels / 2, 1, false);
    weights.attention.gamma = make.gamma(prefix + "gamma");
  }
  weights.final_norm = make.norm("generator.bn", config.channel_width, config, false);
  weights.to_rgb = make.conv("generator.conv_to_rgb", 3, config.channel_width, 3, true);
}

std::vector<float> uniform_values(std::size_t count, float bound, std::mt19937_64& generator) {
  std::uniform_real_distribution<float> uniform(-bound, bound);
  std::vector<float> values(count);
  for (float& value : values) value = uniform(generator);
  return values;
}

// random_biggan_weights' layers, drawn from one generator in make_layers' order (the names are not needed).
struct RandomLayers {
  std::mt19937_64& generator;

  BigGanConvWeights conv(const std::string&, int out_channels, int in_channels, int kernel, bool bias) {
    BigGanConvWeights conv{out_channels, in_channels, kernel, {}, {}};
    const auto fan_in = static_cast<std::size_t>(in_channels) * static_cast<std::size_t>(kernel * kernel);
    const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
    conv.weight = uniform_values(static_cast<std::size_t>(out_channels) * fan_in, bound, generator);
    if (bias) conv.bias = uniform_values(static_cast<std::size_t>(out_channels), bound, generator);
    return conv;
  }

  BigGanNormWeights norm(const std::string&, int channels, const BigGanConfig& config, bool conditional) {
    BigGanNormWeights norm;
    norm.channels = channels;
    const auto width = static_cast<std::size_t>(channels);
    norm.running_means.assign(static_cast<std::size_t>(config.n_stats) * width, 0.0f);
    norm.running_vars.assign(static_cast<std::size_t>(config.n_stats) * width, 1.0f);
    if (conditional) {
      // Small gains and offsets keep 1 + scale(cond) near 1.
      const float bound = static_cast<float>(0.1 / std::sqrt(static_cast<double>(config.condition_dim())));
      norm.scale = uniform_values(width * static_cast<std::size_t>(config.condition_dim()), bound, generator);
      norm.offset = uniform_values(width * static_cast<std::size_t>(config.condition_dim()), bound, generator);
    } else {
      norm.weight.assign(width, 1.0f);
      norm.bias.assign(width, 0.0f);
    }
    return norm;
  }

  float gamma(const std::string&) { return 0.5f; }
};

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
  make_layers(config, reader, weights);
  reader.check_nothing_left();
  return weights;
}

BigGanWeights random_biggan_weights(const BigGanConfig& config, std::uint64_t seed) {
  config.validate("random_biggan_weights");
  std::mt19937_64 generator(seed);
  BigGanWeights weights;
  weights.config = config;
  const auto z_dim = static_cast<std::size_t>(config.z_dim);
  weights.embeddings = uniform_values(z_dim * static_cast<std::size_t>(config.num_classes), 1.0f, generator);
  const auto condition_dim = static_cast<std::size_t>(config.condition_dim());
  const float gen_z_bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(condition_dim)));
  weights.gen_z_weight =
      uniform_values(static_cast<std::size_t>(config.gen_z_features()) * condition_dim, gen_z_bound, generator);
  weights.gen_z_bias = uniform_values(static_cast<std::size_t>(config.gen_z_features()), gen_z_bound, generator);
  RandomLayers random{generator};
  make_layers(config, random, weights);
  return weights;
}

}  // namespace genint
