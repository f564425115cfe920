// normalize_images on the CPU against values computed independently in double precision.
#include "nn/ops/normalize_images.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "nn/core/error.h"

namespace genint {
namespace {

TEST(NormalizeImages, MatchesTheDefinitionPerChannelAndPlane) {
  const int count = 3, height = 5, width = 7;
  std::vector<std::uint8_t> images(static_cast<std::size_t>(count) * height * width * 3);
  std::mt19937 generator(11);
  for (auto& value : images) value = static_cast<std::uint8_t>(generator() & 0xFF);
  std::vector<float> output(images.size(), -1000.0f);  // poisoned: every element must be written
  const ImageNormalization normalization;
  normalize_images_cpu(images.data(), count, height, width, normalization, output.data());
  for (int image = 0; image < count; ++image)
    for (int channel = 0; channel < 3; ++channel)
      for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
          const double pixel = images[((static_cast<std::size_t>(image) * height + y) * width + x) * 3 + channel];
          const double expected = (pixel / 255.0 - normalization.mean[channel]) / normalization.std[channel];
          const float actual = output[((static_cast<std::size_t>(image) * 3 + channel) * height + y) * width + x];
          // Float32 scale/shift are each rounded once before the fused multiply-add: a few ulps of ~2.6.
          EXPECT_NEAR(actual, expected, 2e-6) << image << ' ' << channel << ' ' << y << ' ' << x;
        }
}

TEST(NormalizeImages, RejectsNonPositiveStd) {
  ImageNormalization normalization;
  normalization.std[1] = 0.0f;
  std::uint8_t pixel[3] = {1, 2, 3};
  float output[3];
  EXPECT_THROW(normalize_images_cpu(pixel, 1, 1, 1, normalization, output), Error);
}

}  // namespace
}  // namespace genint
