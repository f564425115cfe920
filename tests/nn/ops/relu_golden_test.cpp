// ReLU forward and backward against the PyTorch 1.13 golden (tools/golden/make_nn_elementwise_goldens.py).
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/relu.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(ReluGolden, ForwardAndBackwardMatchTorchExactly) {
  const auto golden = testing::open_nn_golden("relu");
  const auto input = golden.read<float>("input");
  const auto count = static_cast<std::int64_t>(input.size());
  std::vector<float> output(input.size()), grad_input(input.size());
  relu_forward_cpu(input.data(), count, output.data());
  relu_backward_cpu(golden.read<float>("R").data(), output.data(), count, grad_input.data());
  // Selection and copying only: no rounding anywhere, so exact.
  testing::expect_all_close(output, golden.read<float>("output"), 0.0, 0.0, "output");
  testing::expect_all_close(grad_input, golden.read<float>("grad_input"), 0.0, 0.0, "grad_input");
}

}  // namespace
}  // namespace genint
