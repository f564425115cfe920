// AutoAugment inside the natural pipeline: it runs after the crop and the flip (torchvision's order), leaves the
// crop and flip draws as they were, records its choice per sample, and is off in eval and by default.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "io/jpeg/jpeg_test_support.h"
#include "io/natural/natural_pipeline.h"
#include "io/transforms/auto_augment.h"

namespace genint::io {
namespace {

NaturalPipelineConfig config_with(bool auto_augment, PipelineMode mode = PipelineMode::Train) {
  NaturalPipelineConfig config;
  config.mode = mode;
  config.layout = OutputLayout::Uint8HWC;
  if (auto_augment) config.auto_augment = AutoAugmentOptions{};
  return config;
}

// The pipeline's output equals: the same seed without AutoAugment (crop, resize, flip), then AutoAugment
// replaying the recorded choice. A flip after AutoAugment instead would differ wherever a step is not
// mirror-symmetric (shear, translate, rotate), which the 60 samples include.
TEST(AutoAugmentPipeline, RunsAfterCropAndFlipAndRecordsItsChoice) {
  const auto bytes = testing::natural_like_jpeg(500, 375, 3);
  NaturalSampleMaker plain(config_with(false)), augmented(config_with(true));
  AutoAugment replay;
  std::vector<std::uint8_t> expected(plain.output_values()), actual(expected.size());
  int flipped = 0, geometric_after_flip = 0, changed = 0;
  for (std::uint64_t seed = 0; seed < 60; ++seed) {
    const SampleResult reference = plain.make(bytes.data(), bytes.size(), seed, expected.data());
    const SampleResult result = augmented.make(bytes.data(), bytes.size(), seed, actual.data());
    ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
    EXPECT_EQ(reference.auto_augment.sub_policy, -1);
    ASSERT_GE(result.auto_augment.sub_policy, 0);
    EXPECT_EQ(result.crop.x, reference.crop.x);  // AutoAugment draws after the crop and the flip
    EXPECT_EQ(result.crop.width, reference.crop.width);
    EXPECT_EQ(result.flipped, reference.flipped);
    changed += expected != actual;
    replay.apply(expected.data(), 224, 224, result.auto_augment);
    EXPECT_EQ(actual, expected) << "seed " << seed;
    flipped += result.flipped;
    for (int step = 0; step < 2; ++step) {
      const AutoAugmentOp op = replay.sub_policies()[result.auto_augment.sub_policy][step].op;
      geometric_after_flip += result.flipped && result.auto_augment.applied[step] && op <= AutoAugmentOp::Rotate;
    }
  }
  EXPECT_GT(flipped, 10);
  EXPECT_GT(geometric_after_flip, 0);  // the order is tested where it matters
  EXPECT_GT(changed, 30);
}

TEST(AutoAugmentPipeline, FloatOutputIsTheNormalizedBytes) {
  const auto bytes = testing::natural_like_jpeg(400, 300, 4);
  NaturalPipelineConfig float_config = config_with(true);
  float_config.layout = OutputLayout::FloatCHW;
  NaturalSampleMaker float_maker(float_config), byte_maker(config_with(true));
  std::vector<float> floats(float_maker.output_values()), normalized(floats.size());
  std::vector<std::uint8_t> pixels(byte_maker.output_values());
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const SampleResult first = float_maker.make(bytes.data(), bytes.size(), seed, floats.data());
    const SampleResult second = byte_maker.make(bytes.data(), bytes.size(), seed, pixels.data());
    EXPECT_EQ(first.auto_augment.sub_policy, second.auto_augment.sub_policy);
    normalize_images_cpu(pixels.data(), 1, 224, 224, float_config.normalization, normalized.data());
    EXPECT_EQ(floats, normalized) << "seed " << seed;
  }
}

TEST(AutoAugmentPipeline, EvalIgnoresIt) {
  const auto bytes = testing::natural_like_jpeg(400, 300, 5);
  NaturalSampleMaker plain(config_with(false, PipelineMode::Eval)), augmented(config_with(true, PipelineMode::Eval));
  std::vector<std::uint8_t> expected(plain.output_values()), actual(expected.size());
  plain.make(bytes.data(), bytes.size(), 7, expected.data());
  const SampleResult result = augmented.make(bytes.data(), bytes.size(), 7, actual.data());
  EXPECT_EQ(actual, expected);
  EXPECT_EQ(result.auto_augment.sub_policy, -1);
}

}  // namespace
}  // namespace genint::io
