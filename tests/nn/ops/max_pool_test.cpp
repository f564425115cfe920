// Max pooling on the CPU: finite-difference check of the backward, padding as −inf, NaN winning, overlapping
// windows accumulating, and the shape checks.
#include "nn/ops/max_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <string>
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

// The definition, window by window with clipping and no shortcuts: what the CPU kernel's unrolled interior path
// (kernels 2 and 3) and its border path must both reproduce, values and argmax alike.
void reference_pool(const std::vector<float>& input, const MaxPoolShape& shape, std::vector<float>& output,
                    std::vector<std::int32_t>& argmax) {
  const int output_height = shape.output_height(), output_width = shape.output_width();
  for (int plane = 0; plane < shape.batch * shape.channels; ++plane) {
    for (int output_y = 0; output_y < output_height; ++output_y) {
      for (int output_x = 0; output_x < output_width; ++output_x) {
        float best = -std::numeric_limits<float>::infinity();
        int best_index = -1;
        for (int y = output_y * shape.stride - shape.padding;
             y < output_y * shape.stride - shape.padding + shape.kernel; ++y) {
          for (int x = output_x * shape.stride - shape.padding;
               x < output_x * shape.stride - shape.padding + shape.kernel; ++x) {
            if (y < 0 || x < 0 || y >= shape.height || x >= shape.width) continue;
            const float value = input[static_cast<std::size_t>((plane * shape.height + y) * shape.width + x)];
            if (best_index < 0 || value > best || std::isnan(value)) {  // the first in-bounds cell starts
              best = value;
              best_index = y * shape.width + x;
            }
          }
        }
        const auto at = static_cast<std::size_t>((plane * output_height + output_y) * output_width + output_x);
        output[at] = best;
        argmax[at] = best_index;
      }
    }
  }
}

TEST(MaxPool, EveryGeometryMatchesTheWindowByWindowDefinition) {
  // Four finite values, 2 drawn twice as often (ties everywhere: the first cell must keep them), with −inf and NaN.
  const float nan = std::numeric_limits<float>::quiet_NaN(), infinity = std::numeric_limits<float>::infinity();
  const float palette[] = {-1.0f, 0.0f, 2.0f, 2.0f, 5.0f, -infinity, nan};
  int geometries = 0;
  for (int kernel = 1; kernel <= 4; ++kernel) {
    for (int stride = 1; stride <= 3; ++stride) {
      for (int padding = 0; 2 * padding <= kernel; ++padding) {
        for (int size = 1; size <= 9; ++size) {
          for (const bool ceil_mode : {false, true}) {
            const MaxPoolShape shape{2, 1, size, size + 1, kernel, stride, padding, ceil_mode};
            if (size + 2 * padding < kernel) continue;
            std::vector<float> input(static_cast<std::size_t>(2 * size * (size + 1)));
            std::uint32_t state = static_cast<std::uint32_t>(geometries) * 2654435761u + 1u;  // a fresh draw each
            for (float& value : input) {
              state = state * 1664525u + 1013904223u;  // Numerical Recipes' LCG: any cheap spread will do
              value = palette[(state >> 16) % 7];
            }
            const auto count = static_cast<std::size_t>(2 * shape.output_height() * shape.output_width());
            std::vector<float> expected(count);
            std::vector<std::int32_t> expected_argmax(count), argmax;
            reference_pool(input, shape, expected, expected_argmax);
            const auto output = pool(input, shape, &argmax);
            const std::string where = "kernel " + std::to_string(kernel) + " stride " + std::to_string(stride) +
                                      " padding " + std::to_string(padding) + " size " + std::to_string(size) +
                                      (ceil_mode ? " ceil" : "");
            ASSERT_EQ(argmax, expected_argmax) << where;
            for (std::size_t index = 0; index < count; ++index) {
              ASSERT_TRUE(output[index] == expected[index] ||
                          (std::isnan(output[index]) && std::isnan(expected[index])))
                  << where << " at " << index << ": " << output[index] << " vs " << expected[index];
            }
            ++geometries;
          }
        }
      }
    }
  }
  EXPECT_GT(geometries, 300);
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
