// Parses BigGanConfig from the reference's config.json keys (or gives biggan-deep-256's) and checks that the layer list
// is a network the reference itself could build and run (channel halving on skips, even attention sizes, output size).
#include "gan/biggan/biggan_config.h"

#include <cstdint>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

#include "nn/core/error.h"

namespace genint {
namespace {

const nlohmann::json& required(const nlohmann::json& object, const char* key, const std::string& source) {
  GENINT_CHECK(object.contains(key), source + ": BigGAN config has no \"" + key + "\"");
  return object.at(key);
}

// Through int64 (not get<int>, which GCC 12's -Wnull-dereference flags inside nlohmann), range-checked.
int integer_value(const nlohmann::json& value, const std::string& where) {
  GENINT_CHECK(value.is_number_integer(), where + " must be an integer");
  const std::int64_t number = value.get<std::int64_t>();
  GENINT_CHECK(number >= std::numeric_limits<int>::min() && number <= std::numeric_limits<int>::max(),
               where + " is out of range: " + std::to_string(number));
  return static_cast<int>(number);
}

int required_integer(const nlohmann::json& object, const char* key, const std::string& source) {
  return integer_value(required(object, key, source), source + ": BigGAN config \"" + key + "\"");
}

BigGanLayerSpec parse_layer(const nlohmann::json& entry, std::size_t index, const std::string& source) {
  const std::string where = source + ": BigGAN config layers[" + std::to_string(index) + "]";
  GENINT_CHECK(entry.is_array() && entry.size() == 3, where + " must be [up_sample, in_mult, out_mult]");
  BigGanLayerSpec layer;
  // Python writes the flag as true/false; a 0/1 integer (some hand-written configs) means the same.
  if (entry[0].is_boolean()) {
    layer.up_sample = entry[0].get<bool>();
  } else {
    layer.up_sample = integer_value(entry[0], where + " up_sample") != 0;
  }
  layer.in_multiplier = integer_value(entry[1], where + " in_mult");
  layer.out_multiplier = integer_value(entry[2], where + " out_mult");
  return layer;
}

}  // namespace

BigGanConfig BigGanConfig::from_json(const std::string& json_text, const std::string& source) {
  nlohmann::json object;
  try {
    object = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& error) {
    throw Error(source + ": BigGAN config is not valid JSON: " + error.what());
  }
  GENINT_CHECK(object.is_object(), source + ": BigGAN config must be a JSON object");
  BigGanConfig config;
  config.output_dim = required_integer(object, "output_dim", source);
  config.z_dim = required_integer(object, "z_dim", source);
  config.channel_width = required_integer(object, "channel_width", source);
  config.num_classes = required_integer(object, "num_classes", source);
  config.attention_layer_position = required_integer(object, "attention_layer_position", source);
  const nlohmann::json& eps = required(object, "eps", source);
  GENINT_CHECK(eps.is_number(), source + ": BigGAN config \"eps\" must be a number");
  config.eps = static_cast<float>(eps.get<double>());
  config.n_stats = required_integer(object, "n_stats", source);
  const nlohmann::json& layers = required(object, "layers", source);
  GENINT_CHECK(layers.is_array() && !layers.empty(), source + ": BigGAN config \"layers\" must be a non-empty list");
  for (std::size_t index = 0; index < layers.size(); ++index)
    config.layers.push_back(parse_layer(layers[index], index, source));
  config.validate(source);
  return config;
}

void BigGanConfig::validate(const std::string& source) const {
  const std::string where = source + ": BigGAN config ";
  GENINT_CHECK(z_dim > 0 && channel_width > 0 && num_classes > 0,
               where + "z_dim, channel_width and num_classes must be positive");
  GENINT_CHECK(channel_width >= 3, where + "channel_width " + std::to_string(channel_width) +
                                       " is below the 3 RGB channels conv_to_rgb keeps");
  GENINT_CHECK(eps > 0.0f, where + "eps must be positive");
  GENINT_CHECK(n_stats >= 2, where + "n_stats must be at least 2 (truncation 0 and 1)");
  GENINT_CHECK(layers.front().in_multiplier == 16,
               where + "layers[0] must take 16·channel_width channels (gen_z's output), not " +
                   std::to_string(layers.front().in_multiplier));
  int up_samples = 0;
  for (const BigGanLayerSpec& layer : layers) up_samples += layer.up_sample ? 1 : 0;
  GENINT_CHECK(up_samples <= 14, where + "has " + std::to_string(up_samples) +
                                     " up-sampling layers; more than 14 (4·2^14 = 65536 pixels) is not an image");
  GENINT_CHECK(layers.back().out_multiplier == 1, where + "the last layer must end at channel_width (multiplier 1)");
  for (int block = 0; block < block_count(); ++block) {
    const BigGanLayerSpec& layer = layers[static_cast<std::size_t>(block)];
    const std::string name = where + "layers[" + std::to_string(block) + "]: ";
    GENINT_CHECK(layer.in_multiplier > 0 && layer.out_multiplier > 0, name + "multipliers must be positive");
    GENINT_CHECK(block_middle_channels(block) > 0, name + "in channels / 4 must be at least 1");
    if (block > 0) {
      GENINT_CHECK(layers[static_cast<std::size_t>(block - 1)].out_multiplier == layer.in_multiplier,
                   name + "in_mult " + std::to_string(layer.in_multiplier) + " differs from the previous out_mult");
    }
    // The reference's skip keeps x0[:, :in // 2] when in != out; any other out cannot be added to it.
    if (layer.in_multiplier != layer.out_multiplier) {
      GENINT_CHECK(block_in_channels(block) / 2 == block_out_channels(block),
                   name + "out channels must be half the in channels when they differ (the skip drops half)");
    }
  }
  GENINT_CHECK(block_out_resolution(block_count() - 1) == output_dim,
               where + "layers upsample 4 to " + std::to_string(block_out_resolution(block_count() - 1)) +
                   ", but output_dim is " + std::to_string(output_dim));
  if (has_attention()) {
    GENINT_CHECK(attention_channels() / 8 >= 1, where + "attention needs at least 8 channels");
    GENINT_CHECK(attention_resolution() % 2 == 0, where + "attention's 2x2 max pool needs an even input size");
  }
}

int BigGanConfig::module_index_of_block(int block) const {
  return block + (has_attention() && block >= attention_layer_position ? 1 : 0);
}
int BigGanConfig::block_in_channels(int block) const {
  return channel_width * layers[static_cast<std::size_t>(block)].in_multiplier;
}
int BigGanConfig::block_out_channels(int block) const {
  return channel_width * layers[static_cast<std::size_t>(block)].out_multiplier;
}
int BigGanConfig::block_middle_channels(int block) const {
  return block_in_channels(block) / 4;
}

int BigGanConfig::block_in_resolution(int block) const {
  int resolution = 4;
  for (int earlier = 0; earlier < block; ++earlier) {
    if (layers[static_cast<std::size_t>(earlier)].up_sample) resolution *= 2;
  }
  return resolution;
}
int BigGanConfig::block_out_resolution(int block) const {
  return block_in_resolution(block) * (layers[static_cast<std::size_t>(block)].up_sample ? 2 : 1);
}
int BigGanConfig::attention_channels() const {
  return block_in_channels(attention_layer_position);
}
int BigGanConfig::attention_resolution() const {
  return block_in_resolution(attention_layer_position);
}

BigGanConfig biggan_deep_256_config() {
  BigGanConfig config;
  config.output_dim = 256;
  config.z_dim = 128;
  config.channel_width = 128;
  config.num_classes = 1000;
  // Channel multipliers 16, 16, 8, 8, 4, 2, 1 at resolutions 4 … 256, two GenBlocks per resolution step.
  config.layers = {{false, 16, 16}, {true, 16, 16}, {false, 16, 16}, {true, 16, 8}, {false, 8, 8}, {true, 8, 8},
                   {false, 8, 8},   {true, 8, 4},   {false, 4, 4},   {true, 4, 2},  {false, 2, 2}, {true, 2, 1}};
  config.attention_layer_position = 8;
  config.eps = 1e-4f;
  config.n_stats = 51;
  config.validate("biggan-deep-256 (built in)");
  return config;
}

}  // namespace genint
