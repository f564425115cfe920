// The built-in biggan-deep-256 config and random weights: the parameter count pytorch-pretrained-biggan
// reports for that model, and a CPU forward of a random tiny model that yields bounded, non-constant images.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "biggan_test_support.h"
#include "gan/biggan/biggan_generator.h"

namespace genint {
namespace {

std::int64_t conv_parameters(const BigGanConvWeights& conv) {
  return static_cast<std::int64_t>(conv.weight.size() + conv.bias.size());
}

std::int64_t norm_parameters(const BigGanNormWeights& norm) {
  return static_cast<std::int64_t>(norm.scale.size() + norm.offset.size() + norm.weight.size() + norm.bias.size());
}

TEST(BigGanRandomWeights, Deep256HasTheReferenceParameterCount) {
  const BigGanWeights weights = random_biggan_weights(biggan_deep_256_config(), 1);
  std::int64_t count =
      static_cast<std::int64_t>(weights.embeddings.size() + weights.gen_z_weight.size() + weights.gen_z_bias.size());
  for (const BigGanBlockWeights& block : weights.blocks) {
    for (const BigGanConvWeights& conv : block.convs) count += conv_parameters(conv);
    for (const BigGanNormWeights& norm : block.norms) count += norm_parameters(norm);
  }
  for (const BigGanConvWeights* conv :
       {&weights.attention.theta, &weights.attention.phi, &weights.attention.g, &weights.attention.o})
    count += conv_parameters(*conv);
  count += 1 + norm_parameters(weights.final_norm);  // + attention gamma
  // The reference's conv_to_rgb has channel_width outputs of which genint keeps the 3 used ones.
  const std::int64_t channels = weights.config.channel_width;
  count += channels * (channels * 9 + 1);
  // facts.md: biggan-deep-256 has 55.9 M parameters (three significant digits).
  EXPECT_NEAR(static_cast<double>(count), 55.9e6, 0.05e6) << count;
}

TEST(BigGanRandomWeights, RandomTinyModelRunsOnTheCpu) {
  BigGanConfig config = biggan_deep_256_config();
  config.output_dim = 32;
  config.z_dim = 8;
  config.channel_width = 4;
  config.num_classes = 5;
  config.layers = {{false, 16, 16}, {true, 16, 8}, {true, 8, 4}, {true, 4, 2}, {false, 2, 1}};
  config.attention_layer_position = 2;
  config.n_stats = 3;
  BigGanGenerator generator(random_biggan_weights(config, 9));
  const testing::OneHotBatch samples(config, {1, 3}, 0.5f);
  std::vector<float> images(static_cast<std::size_t>(samples.batch()) * 3 * 32 * 32);
  generator.forward(samples.batch(), samples.inputs(), images.data());
  EXPECT_TRUE(testing::within_tanh_range(images));
  const auto [low, high] = std::minmax_element(images.begin(), images.end());
  EXPECT_GT(*high - *low, 1e-3f) << "constant images: the random weights carry no signal";
}

}  // namespace
}  // namespace genint
