// Residual add on the CPU: in-place accumulation and the backward's copies (including skipped operands).
#include "nn/ops/residual_add.h"

#include <gtest/gtest.h>

#include <vector>

namespace genint {
namespace {

TEST(ResidualAdd, AccumulatesInPlace) {
  std::vector<float> first{1.0f, 2.0f, 3.0f};
  const std::vector<float> second{0.5f, -2.0f, 4.0f};
  residual_add_forward_cpu(first.data(), second.data(), 3, first.data());
  EXPECT_EQ(first, (std::vector<float>{1.5f, 0.0f, 7.0f}));
}

TEST(ResidualAdd, BackwardCopiesTheGradientToEachOperandAsked) {
  const std::vector<float> grad_output{1.0f, -2.0f, 3.0f};
  std::vector<float> grad_first(3, -1000.0f);
  std::vector<float> grad_second(3, -1000.0f);
  residual_add_backward_cpu(grad_output.data(), 3, grad_first.data(), grad_second.data());
  EXPECT_EQ(grad_first, grad_output);
  EXPECT_EQ(grad_second, grad_output);
  std::vector<float> untouched(3, -1000.0f);
  residual_add_backward_cpu(grad_output.data(), 3, nullptr, untouched.data());
  EXPECT_EQ(untouched, grad_output);
}

}  // namespace
}  // namespace genint
