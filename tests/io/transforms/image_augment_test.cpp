// The output pass (flip + normalize + HWC→CHW) against nn's normalize_images_cpu, and the augmentations'
// determinism and formulas on images whose correct result is known.
#include "io/transforms/image_augment.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "io/transforms/sample_random.h"
#include "nn/ops/normalize_images.h"

namespace genint::io {
namespace {

std::vector<std::uint8_t> random_image(int width, int height, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::vector<std::uint8_t> image(std::size_t(width) * height * 3);
  for (auto& value : image) value = static_cast<std::uint8_t>(generator());
  return image;
}

// Width 224 with a 16-byte-aligned output takes the streaming-store path, width 37 the scalar one.
TEST(FlipNormalize, EqualsNormalizeImagesCpuBitForBit) {
  for (const int width : {37, 224}) {
    const int height = 23;
    const auto image = random_image(width, height, 1);
    const ImageNormalization normalization;
    for (const bool flip : {false, true}) {
      std::vector<std::uint8_t> source(image.size());
      flip_copy_hwc(image.data(), width, height, flip, source.data());
      std::vector<float> expected(image.size()), actual(image.size());
      normalize_images_cpu(source.data(), 1, height, width, normalization, expected.data());
      flip_normalize_to_chw(image.data(), width, height, flip, normalization_affine(normalization), actual.data());
      ASSERT_EQ(reinterpret_cast<std::uintptr_t>(actual.data()) % 16, 0u);  // malloc's alignment
      EXPECT_EQ(actual, expected) << "width " << width << " flip " << flip;
    }
  }
}

TEST(FlipNormalize, FlipMirrorsColumns) {
  const int width = 37, height = 2;
  const auto image = random_image(width, height, 2);
  std::vector<std::uint8_t> mirrored(image.size());
  flip_copy_hwc(image.data(), width, height, true, mirrored.data());
  EXPECT_EQ(mirrored[0], image[(width - 1) * 3]);  // the first output column is the last input column
  EXPECT_EQ(mirrored[(width - 1) * 3 + 2], image[2]);
}

TEST(Augment, SameSeedSameImage) {
  AugmentOptions options;
  options.rotation_degrees = 15;
  options.brightness = options.contrast = options.saturation = 0.4;
  const auto original = random_image(64, 64, 2);
  std::vector<std::uint8_t> scratch, first = original, second = original, third = original;
  SampleRandom random_first(5), random_second(5), random_third(6);
  apply_augmentations(first.data(), 64, 64, options, random_first, scratch);
  apply_augmentations(second.data(), 64, 64, options, random_second, scratch);
  apply_augmentations(third.data(), 64, 64, options, random_third, scratch);
  EXPECT_EQ(first, second);
  EXPECT_NE(first, third);
  EXPECT_NE(first, original);
}

TEST(Augment, SaturationLeavesGreyAloneAndBrightnessScales) {
  std::vector<std::uint8_t> grey(16 * 16 * 3, 100), scratch;
  AugmentOptions saturation;
  saturation.saturation = 0.4;
  SampleRandom random(3);
  std::vector<std::uint8_t> image = grey;
  apply_augmentations(image.data(), 16, 16, saturation, random, scratch);
  // A grey pixel is its own grey: 100·f + (1−f)·(0.2989+0.587+0.114)·100 = 100 within rounding.
  for (const std::uint8_t value : image) EXPECT_NEAR(value, 100, 1);
  AugmentOptions brightness;
  brightness.brightness = 0.4;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    image = grey;
    SampleRandom draws(seed);
    apply_augmentations(image.data(), 16, 16, brightness, draws, scratch);
    EXPECT_GE(image[0], 60);  // factor in [0.6, 1.4]
    EXPECT_LE(image[0], 140);
    EXPECT_EQ(image[0], image[grey.size() - 1]);  // one factor for the whole image
  }
}

TEST(Augment, RotationTurnsAboutTheCentreWithBlackCorners) {
  const int size = 65;
  std::vector<std::uint8_t> image(size * size * 3, 200), scratch;
  AugmentOptions rotation;
  rotation.rotation_degrees = 30;
  // The rotation's angle is the first draw: read it from a twin generator so the test knows it.
  SampleRandom random(8), twin(8);
  const double angle = twin.uniform(-30.0, 30.0);
  ASSERT_GT(std::abs(angle), 5.0) << "seed 8 must give an angle that uncovers the corners";
  apply_augmentations(image.data(), size, size, rotation, random, scratch);
  const std::size_t centre = (std::size_t(size / 2) * size + size / 2) * 3;
  EXPECT_EQ(image[centre], 200);
  EXPECT_EQ(image[0], 0);                      // top-left corner: rotated in from outside, black
  EXPECT_EQ(image[(size * size - 1) * 3], 0);  // bottom-right likewise
}

}  // namespace
}  // namespace genint::io
