// The CPU twin of the bf16 ResNet (bf16 roundings around float32 convolutions) against the float32 model: the
// difference is bf16-sized, neither zero (the mode is in effect) nor structural (O(1)).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "nn/models/bf16_comparison.h"
#include "nn/models/resnet.h"
#include "nn/models/resnet_test_support.h"

namespace genint {
namespace {

constexpr int kBatch = 8;
constexpr int kSize = 32;  // small-input stem: every stage runs (layer4 sees 4x4)
constexpr int kClasses = 10;

TEST(ResNetBf16Twin, DiffersFromFloat32ByBf16RoundingOnly) {
  ResNetConfig float32_config{"resnet18", kClasses, true};
  ResNetConfig bf16_config = float32_config;
  bf16_config.bf16 = true;
  ResNet float32(float32_config), bf16(bf16_config);
  bf16.copy_state_from(float32);
  const std::vector<float> planes = testing::random_planes(kBatch, kSize, 5);
  const std::vector<std::int32_t> labels = testing::cyclic_labels(kBatch, kClasses, 7);
  const Tensor exact =
      float32.forward(float32.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  const Tensor twin = bf16.forward(bf16.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  const double logits = testing::relative_difference(twin, exact);
  float32.backward(labels.data(), kBatch);
  bf16.backward(labels.data(), kBatch);
  const double fc_grad = testing::relative_difference(bf16.find("fc.weight").grad, float32.find("fc.weight").grad);
  double lowest_cosine = 1.0;
  for (const ResNetTensor& parameter : float32.parameters())
    if (parameter.value.rank() == 4)
      lowest_cosine = std::min(lowest_cosine, testing::cosine(bf16.find(parameter.name).grad, parameter.grad));
  std::printf("bf16 twin vs float32: logits %.3g, fc.weight grad %.3g, lowest conv-weight-grad cosine %.4f\n", logits,
              fc_grad, lowest_cosine);
  EXPECT_GT(logits, testing::kBf16InEffect);
  EXPECT_GT(fc_grad, testing::kBf16InEffect);
  EXPECT_LT(logits, testing::kBf16Relative);
  EXPECT_LT(fc_grad, testing::kBf16Relative);
  EXPECT_GT(lowest_cosine, testing::kBf16ConvGradCosine);
}

}  // namespace
}  // namespace genint
