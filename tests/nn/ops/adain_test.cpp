// AdaIN on the CPU: statistics with the unbiased variance against hand-computed values, the transform against
// its formula, α = 0 returning the content exactly, shared and per-content style rows, the clamp and shape checks.
#include "nn/ops/adain.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

TEST(AdaIN, StatisticsUseTheUnbiasedVariancePlusEpsilonInsideTheRoot) {
  // Plane 0: 1, 2, 3, 4 → mean 2.5, Σ(x − mean)² = 5, unbiased variance 5/3 (the biased 5/4 would give 1.1180).
  // Plane 1: constant 7 → variance 0, so sigma is sqrt(eps) exactly as torch's (var + eps).sqrt().
  const std::vector<float> features{1, 2, 3, 4, 7, 7, 7, 7};
  std::vector<float> mean(2), sigma(2);
  adain_statistics_cpu(features.data(), 2, 4, mean.data(), sigma.data());
  EXPECT_EQ(mean[0], 2.5f);
  EXPECT_EQ(sigma[0], static_cast<float>(std::sqrt(5.0 / 3.0 + 1e-5)));
  EXPECT_EQ(mean[1], 7.0f);
  EXPECT_EQ(sigma[1], static_cast<float>(std::sqrt(1e-5)));
}

TEST(AdaIN, TransformMovesTheContentStatisticsOntoTheStyle) {
  const std::vector<float> content{1, 2, 3, 4};
  std::vector<float> mean(1), sigma(1);
  adain_statistics_cpu(content.data(), 1, 4, mean.data(), sigma.data());
  const float style_mean = 10.0f, style_sigma = 2.0f;
  const AdaINShape shape{1, 1, 2, 2, 1};
  for (const float alpha : {1.0f, 0.6f}) {
    std::vector<float> output(4);
    adain_transform_cpu(content.data(), mean.data(), sigma.data(), &style_mean, &style_sigma, shape, alpha,
                        output.data());
    for (int index = 0; index < 4; ++index) {
      const double x = content[index];
      const double transferred = (x - 2.5) / std::sqrt(5.0 / 3.0 + 1e-5) * 2.0 + 10.0;
      // Float32 arithmetic of values below 12: a few ulps (1e-6 each) of the double formula.
      EXPECT_NEAR(output[index], alpha * transferred + (1.0 - alpha) * x, 1e-5) << alpha << " " << index;
    }
  }
  // With α = 1 the output's own statistics are the style's: mean exactly, sigma up to the eps inside the root.
  std::vector<float> output(4), output_mean(1), output_sigma(1);
  adain_transform_cpu(content.data(), mean.data(), sigma.data(), &style_mean, &style_sigma, shape, 1.0f, output.data());
  adain_statistics_cpu(output.data(), 1, 4, output_mean.data(), output_sigma.data());
  EXPECT_NEAR(output_mean[0], 10.0f, 1e-5);
  EXPECT_NEAR(output_sigma[0], 2.0f, 1e-5);  // the eps (1e-5 against 5/3) moves sigma by ~6e-6 relative
}

TEST(AdaIN, AlphaZeroReturnsTheContentExactly) {
  const AdaINShape shape{2, 3, 5, 4, 1};
  const auto content = testing::seeded_uniform(2U * 3U * 20U, 3, -4.0f, 9.0f);
  const auto style = testing::seeded_uniform(3U * 20U, 4, -1.0f, 2.0f);
  std::vector<float> mean(6), sigma(6), style_mean(3), style_sigma(3);
  adain_statistics_cpu(content.data(), 6, 20, mean.data(), sigma.data());
  adain_statistics_cpu(style.data(), 3, 20, style_mean.data(), style_sigma.data());
  std::vector<float> output(content.size());
  adain_transform_cpu(content.data(), mean.data(), sigma.data(), style_mean.data(), style_sigma.data(), shape, 0.0f,
                      output.data());
  EXPECT_EQ(output, content);
}

TEST(AdaIN, SharedStyleRowEqualsTheSameRowRepeatedPerContent) {
  const auto content = testing::seeded_uniform(2U * 3U * 6U, 5, -1.0f, 1.0f);
  std::vector<float> mean(6), sigma(6);
  adain_statistics_cpu(content.data(), 6, 6, mean.data(), sigma.data());
  const std::vector<float> style_mean{0.5f, -1.0f, 2.0f}, style_sigma{0.25f, 3.0f, 1.0f};
  std::vector<float> shared(content.size()), repeated(content.size());
  adain_transform_cpu(content.data(), mean.data(), sigma.data(), style_mean.data(), style_sigma.data(),
                      AdaINShape{2, 3, 2, 3, 1}, 0.75f, shared.data());
  std::vector<float> mean_rows(style_mean), sigma_rows(style_sigma);
  mean_rows.insert(mean_rows.end(), style_mean.begin(), style_mean.end());
  sigma_rows.insert(sigma_rows.end(), style_sigma.begin(), style_sigma.end());
  adain_transform_cpu(content.data(), mean.data(), sigma.data(), mean_rows.data(), sigma_rows.data(),
                      AdaINShape{2, 3, 2, 3, 2}, 0.75f, repeated.data());
  EXPECT_EQ(shared, repeated);
  // In place gives the same values.
  std::vector<float> in_place(content);
  adain_transform_cpu(in_place.data(), mean.data(), sigma.data(), style_mean.data(), style_sigma.data(),
                      AdaINShape{2, 3, 2, 3, 1}, 0.75f, in_place.data());
  EXPECT_EQ(in_place, shared);
}

TEST(AdaIN, ClampKeepsTheUnitIntervalAndNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values{-2.0f, -0.0f, 0.25f, 1.0f, 1.5f, nan};
  clamp_unit_interval_cpu(values.data(), static_cast<std::int64_t>(values.size()));
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[2], 0.25f);
  EXPECT_EQ(values[3], 1.0f);
  EXPECT_EQ(values[4], 1.0f);
  EXPECT_TRUE(std::isnan(values[5]));  // as torch's clamp: a NaN is not hidden
}

TEST(AdaIN, RejectsShapesItCannotNormalise) {
  std::vector<float> buffer(16, 1.0f);
  float* data = buffer.data();
  EXPECT_THROW(adain_statistics_cpu(data, 2, 1, data, data), Error);  // one value: no unbiased variance
  EXPECT_THROW(check_adain_shape(AdaINShape{1, 1, 1, 1, 1}), Error);
  EXPECT_THROW(check_adain_shape(AdaINShape{3, 1, 2, 2, 2}), Error);  // 2 style rows for 3 contents
  EXPECT_THROW(check_adain_shape(AdaINShape{0, 1, 2, 2, 1}), Error);
  EXPECT_NO_THROW(check_adain_shape(AdaINShape{3, 1, 2, 2, 3}));
  EXPECT_THROW(adain_transform_cpu(data, data, data, data, data, AdaINShape{1, 1, 2, 2, 1},
                                   std::numeric_limits<float>::infinity(), data),
               Error);
}

}  // namespace
}  // namespace genint
