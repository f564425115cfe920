// Max pooling on the CPU: finite-difference check of the backward, padding as −inf, NaN winning, overlapping
// windows accumulating, and the shape checks.
#include "nn/ops/max_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

std::vector<float> pool(const std::vector<float>& input, const MaxPoolShape& shape, std::vector<std::int32_t>* argmax) {
  const auto count =
      static_cast<std::size_t>(shape.batch) * shape.channels * shape.output_height() * shape.output_width();
  std::vector<float> output(count);
  std::vector<std::int32_t> indices(count);
  max_pool_forward_cpu(input.data(), shape, output.data(), indices.data());
  if (argmax != nullptr) *argmax = indices;
  return output;
}

TEST(MaxPool, BackwardMatchesFiniteDifferences) {
  const MaxPoolShape shape{2, 2, 5, 6, 3, 2, 1};
  // Distinct values 0.1 apart in shuffled order: a step of 1e-2 never changes a window's winner.
  std::vector<float> input(120);
  std::iota(input.begin(), input.end(), 0.0f);
  const auto keys = testing::seeded_uniform(120, 9, 0.0f, 1.0f);
  std::vector<std::size_t> order(120);
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return keys[a] < keys[b]; });
  for (std::size_t index = 0; index < 120; ++index) input[order[index]] = 0.1f * static_cast<float>(index) - 6.0f;
  std::vector<std::int32_t> argmax;
  const auto output = pool(input, shape, &argmax);
  const auto weights = testing::seeded_uniform(output.size(), 10, -1.0f, 1.0f);
  std::vector<float> grad_input(input.size(), -1000.0f);
  max_pool_backward_cpu(weights.data(), argmax.data(), shape, grad_input.data());
  // Piecewise linear with fixed winners: exact up to float32 rounding of a loss of size ~10 (~1e-4 per step 1e-2).
  testing::expect_gradient_matches_finite_differences(
      input, grad_input,
      [&](const std::vector<float>& x) { return testing::weighted_sum(pool(x, shape, nullptr), weights); }, 1e-2f, 5e-4,
      1e-4, "grad_input");
}

TEST(MaxPool, PaddingNeverWinsAndNanDoes) {
  const MaxPoolShape shape{1, 1, 2, 2, 3, 2, 1};  // one window covering the whole 2×2 plane plus padding
  std::vector<std::int32_t> argmax;
  EXPECT_EQ(pool({-5.0f, -4.0f, -3.0f, -7.0f}, shape, &argmax)[0], -3.0f);  // not the padding's 0 or -inf
  EXPECT_EQ(argmax[0], 2);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(std::isnan(pool({1.0f, nan, 3.0f, 2.0f}, shape, &argmax)[0]));
  EXPECT_EQ(argmax[0], 1);
}

TEST(MaxPool, OverlappingWindowsAccumulateIntoOneWinner) {
  const MaxPoolShape shape{1, 1, 3, 3, 3, 1, 1};  // 3×3 output, every window contains the centre
  std::vector<float> input(9, 0.0f);
  input[4] = 1.0f;
  std::vector<std::int32_t> argmax;
  pool(input, shape, &argmax);
  const std::vector<float> grad_output{1, 2, 3, 4, 5, 6, 7, 8, 9};
  std::vector<float> grad_input(9, -1000.0f);
  max_pool_backward_cpu(grad_output.data(), argmax.data(), shape, grad_input.data());
  EXPECT_EQ(grad_input[4], 45.0f);  // the centre won all nine windows
  EXPECT_EQ(grad_input[0], 0.0f);
}

TEST(MaxPool, CeilModeSizesMatchTorch) {
  // Sizes torch 1.13's MaxPool2d(kernel, stride, padding, ceil_mode=True) gives for these inputs (floor in comments).
  struct Case {
    int input, kernel, stride, padding, expected;
  };
  for (const Case& c :
       {Case{5, 2, 2, 0, 3} /* floor 2 */, Case{4, 2, 2, 0, 2}, Case{6, 3, 2, 1, 4} /* floor 3 */,
        Case{5, 2, 2, 1, 3} /* the window starting in the padding is dropped */, Case{33, 2, 2, 0, 17}}) {
    const MaxPoolShape shape{1, 1, c.input, c.input, c.kernel, c.stride, c.padding, true};
    EXPECT_EQ(shape.output_height(), c.expected) << c.input << " " << c.kernel << " " << c.stride << " " << c.padding;
    EXPECT_EQ(shape.output_width(), c.expected);
  }
}

TEST(MaxPool, CeilModeClipsThePartialWindowsAsTorch) {
  // torch: x = arange(25).reshape(5, 5) with x[4, 4] = -1, max_pool2d(x, 2, 2, ceil_mode=True, return_indices=True).
  std::vector<float> input(25);
  std::iota(input.begin(), input.end(), 0.0f);
  input[24] = -1.0f;  // the corner window holds only this cell: it must win even though it is negative
  std::vector<std::int32_t> argmax;
  const auto output = pool(input, MaxPoolShape{1, 1, 5, 5, 2, 2, 0, true}, &argmax);
  EXPECT_EQ(output, (std::vector<float>{6, 8, 9, 16, 18, 19, 21, 23, -1}));
  EXPECT_EQ(argmax, (std::vector<std::int32_t>{6, 8, 9, 16, 18, 19, 21, 23, 24}));
}

TEST(MaxPool, RejectsBadGeometry) {
  std::vector<float> buffer(64);
  std::vector<std::int32_t> argmax(64);
  EXPECT_THROW(max_pool_forward_cpu(buffer.data(), {1, 1, 4, 4, 3, 2, 2}, buffer.data(), argmax.data()), Error);
  EXPECT_THROW(max_pool_forward_cpu(buffer.data(), {1, 1, 4, 4, 3, 0, 1}, buffer.data(), argmax.data()), Error);
  EXPECT_THROW(max_pool_forward_cpu(buffer.data(), {1, 1, 1, 1, 5, 1, 0}, buffer.data(), argmax.data()), Error);
}

}  // namespace
}  // namespace genint
