// ReLU on the CPU: finite-difference check of the backward, in-place use, and torch's NaN and zero conventions.
#include "nn/ops/relu.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

std::vector<float> relu_of(const std::vector<float>& input) {
  std::vector<float> output(input.size());
  relu_forward_cpu(input.data(), static_cast<std::int64_t>(input.size()), output.data());
  return output;
}

TEST(Relu, BackwardMatchesFiniteDifferences) {
  auto input = testing::seeded_uniform(40, 7, -1.0f, 1.0f);
  for (auto& value : input) value += value < 0.0f ? -0.05f : 0.05f;  // keep every input 5 steps from the kink
  const auto weights = testing::seeded_uniform(40, 8, -1.0f, 1.0f);
  const auto output = relu_of(input);
  std::vector<float> grad_input(input.size());
  relu_backward_cpu(weights.data(), output.data(), 40, grad_input.data());
  // Piecewise linear away from 0: central differences are exact up to float32 rounding (~1e-7·|loss|/step).
  testing::expect_gradient_matches_finite_differences(
      input, grad_input, [&](const std::vector<float>& x) { return testing::weighted_sum(relu_of(x), weights); }, 1e-2f,
      1e-4, 1e-4, "grad_input");
}

TEST(Relu, RunsInPlaceAndFollowsTorchAtZeroAndNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> values{-2.0f, -0.0f, 0.0f, 3.0f, nan};
  relu_forward_cpu(values.data(), 5, values.data());
  EXPECT_EQ(values[0], 0.0f);
  EXPECT_EQ(values[3], 3.0f);
  EXPECT_TRUE(std::isnan(values[4]));  // torch.relu(nan) is nan
  std::vector<float> grad{1.0f, 1.0f, 1.0f, 1.0f, 1.0f};
  relu_backward_cpu(grad.data(), values.data(), 5, grad.data());
  EXPECT_EQ(grad[0], 0.0f);
  EXPECT_EQ(grad[1], 0.0f);  // torch's threshold_backward: gradient only where the output is > 0
  EXPECT_EQ(grad[2], 0.0f);
  EXPECT_EQ(grad[3], 1.0f);
  EXPECT_EQ(grad[4], 0.0f);  // nan > 0 is false
}

}  // namespace
}  // namespace genint
