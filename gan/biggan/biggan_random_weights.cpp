// Full-size BigGAN-deep without a weight file: pytorch-pretrained-biggan's biggan-deep-256 config and seeded
// random weights of every shape a config implies (benchmarks measure throughput; the images mean nothing).
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
#include <vector>

#include "gan/biggan/biggan_config.h"
#include "gan/biggan/biggan_weights.h"

namespace genint {
namespace {

std::vector<float> uniform_values(std::size_t count, float bound, std::mt19937_64& generator) {
  std::uniform_real_distribution<float> uniform(-bound, bound);
  std::vector<float> values(count);
  for (float& value : values) value = uniform(generator);
  return values;
}

BigGanConvWeights random_conv(int out_channels, int in_channels, int kernel, bool bias, std::mt19937_64& generator) {
  BigGanConvWeights conv;
  conv.out_channels = out_channels;
  conv.in_channels = in_channels;
  conv.kernel = kernel;
  const auto fan_in = static_cast<std::size_t>(in_channels) * static_cast<std::size_t>(kernel * kernel);
  const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(fan_in)));
  conv.weight = uniform_values(static_cast<std::size_t>(out_channels) * fan_in, bound, generator);
  if (bias) conv.bias = uniform_values(static_cast<std::size_t>(out_channels), bound, generator);
  return conv;
}

BigGanNormWeights random_norm(int channels, const BigGanConfig& config, bool conditional, std::mt19937_64& generator) {
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

}  // namespace

BigGanConfig biggan_deep_256_config() {
  BigGanConfig config;
  config.output_dim = 256;
  config.z_dim = 128;
  config.class_embed_dim = 128;
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
  for (int block = 0; block < config.block_count(); ++block) {
    const int in = config.block_in_channels(block), middle = config.block_middle_channels(block);
    BigGanBlockWeights block_weights;
    block_weights.norms[0] = random_norm(in, config, true, generator);
    for (int index = 1; index < 4; ++index) block_weights.norms[index] = random_norm(middle, config, true, generator);
    block_weights.convs[0] = random_conv(middle, in, 1, true, generator);
    block_weights.convs[1] = random_conv(middle, middle, 3, true, generator);
    block_weights.convs[2] = random_conv(middle, middle, 3, true, generator);
    block_weights.convs[3] = random_conv(config.block_out_channels(block), middle, 1, true, generator);
    weights.blocks.push_back(std::move(block_weights));
  }
  if (config.has_attention()) {
    const int channels = config.attention_channels();
    weights.attention.theta = random_conv(channels / 8, channels, 1, false, generator);
    weights.attention.phi = random_conv(channels / 8, channels, 1, false, generator);
    weights.attention.g = random_conv(channels / 2, channels, 1, false, generator);
    weights.attention.o = random_conv(channels, channels / 2, 1, false, generator);
    weights.attention.gamma = 0.5f;
  }
  weights.final_norm = random_norm(config.channel_width, config, false, generator);
  weights.to_rgb = random_conv(3, config.channel_width, 3, true, generator);
  return weights;
}

}  // namespace genint
