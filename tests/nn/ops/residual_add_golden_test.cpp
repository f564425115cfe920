// Residual add forward and backward against the PyTorch 1.13 golden (a + b).
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/residual_add.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(ResidualAddGolden, ForwardAndBackwardMatchTorchExactly) {
  const auto golden = testing::open_nn_golden("residual_add");
  const auto first = golden.read<float>("first");
  const auto count = static_cast<std::int64_t>(first.size());
  std::vector<float> output(first.size()), grad_first(first.size()), grad_second(first.size());
  residual_add_forward_cpu(first.data(), golden.read<float>("second").data(), count, output.data());
  residual_add_backward_cpu(golden.read<float>("R").data(), count, grad_first.data(), grad_second.data());
  // One correctly rounded float add per value, and copies: exact.
  testing::expect_all_close(output, golden.read<float>("output"), 0.0, 0.0, "output");
  testing::expect_all_close(grad_first, golden.read<float>("grad_first"), 0.0, 0.0, "grad_first");
  testing::expect_all_close(grad_second, golden.read<float>("grad_second"), 0.0, 0.0, "grad_second");
}

}  // namespace
}  // namespace genint
