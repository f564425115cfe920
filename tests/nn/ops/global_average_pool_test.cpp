// Global average pooling on the CPU: finite-difference check of the backward and the shape check.
#include "nn/ops/global_average_pool.h"

#include <gtest/gtest.h>

#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

std::vector<float> average(const std::vector<float>& input, std::int64_t planes, int spatial) {
  std::vector<float> output(static_cast<std::size_t>(planes));
  global_average_pool_forward_cpu(input.data(), planes, spatial, output.data());
  return output;
}

TEST(GlobalAveragePool, BackwardMatchesFiniteDifferences) {
  const auto input = testing::seeded_uniform(6 * 9, 11, -2.0f, 2.0f);
  const auto weights = testing::seeded_uniform(6, 12, -1.0f, 1.0f);
  std::vector<float> grad_input(input.size(), -1000.0f);
  global_average_pool_backward_cpu(weights.data(), 6, 9, grad_input.data());
  // Linear: central differences are exact up to float32 rounding of the forward (~1e-5 at step 1e-2).
  testing::expect_gradient_matches_finite_differences(
      input, grad_input, [&](const std::vector<float>& x) { return testing::weighted_sum(average(x, 6, 9), weights); },
      1e-2f, 1e-4, 1e-4, "grad_input");
}

TEST(GlobalAveragePool, RejectsEmptyPlanes) {
  float value = 0.0f;
  EXPECT_THROW(global_average_pool_forward_cpu(&value, 1, 0, &value), Error);
}

}  // namespace
}  // namespace genint
