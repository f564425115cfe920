// The truncated-normal sampler: bounds, per-seed reproducibility, and the moments of N(0,1) | |x|<=2.
#include "gan/sampling/truncated_normal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/core/error.h"

namespace genint {
namespace {

TEST(TruncatedNormal, StaysInsideTheTruncationTimesTwo) {
  const auto latents = biggan_latents({1, 2, 3, 4}, 128, 0.4f);
  ASSERT_EQ(latents.size(), 4u * 128u);
  for (float value : latents) {
    EXPECT_LE(std::fabs(value), 0.8f);
  }
}

TEST(TruncatedNormal, EachRowDependsOnlyOnItsSeed) {
  const auto together = biggan_latents({7, 8, 9}, 16, 1.0f);
  const auto alone = biggan_latents({8}, 16, 1.0f);
  for (int index = 0; index < 16; ++index) EXPECT_EQ(together[16 + index], alone[index]);
  EXPECT_NE(together[0], together[16]);
}

TEST(TruncatedNormal, MomentsMatchTheTruncatedDistribution) {
  // Var[X | |X| <= 2] for X ~ N(0,1) = 1 - 2*2*phi(2)/(2*Phi(2)-1) = 0.773741.
  const int samples = 200000;
  std::vector<float> values(samples);
  truncated_normal(123, samples, 2.0f, values.data());
  double sum = 0, sum_of_squares = 0;
  for (float value : values) {
    sum += value;
    sum_of_squares += static_cast<double>(value) * value;
  }
  const double mean = sum / samples, variance = sum_of_squares / samples - mean * mean;
  // Standard error of the mean is sqrt(0.774/2e5) = 0.002 and of the variance about 0.0016: 5 sigma bounds.
  EXPECT_NEAR(mean, 0.0, 0.01);
  EXPECT_NEAR(variance, 0.773741, 0.008);
}

TEST(TruncatedNormal, RejectsTruncationOutsideTheUnitInterval) {
  EXPECT_THROW(biggan_latents({1}, 8, 0.0f), Error);
  EXPECT_THROW(biggan_latents({1}, 8, 1.5f), Error);
}

}  // namespace
}  // namespace genint
