// Global average pooling forward and backward against the PyTorch 1.13 golden (x.mean(dim=(2,3))).
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/global_average_pool.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(GlobalAveragePoolGolden, ForwardAndBackwardMatchTorch) {
  const auto golden = testing::open_nn_golden("global_average_pool");
  const std::int64_t planes = static_cast<std::int64_t>(golden.dimension("input", 0)) * golden.dimension("input", 1);
  const int spatial = golden.dimension("input", 2) * golden.dimension("input", 3);
  const auto input = golden.read<float>("input");
  std::vector<float> output(static_cast<std::size_t>(planes)), grad_input(input.size());
  global_average_pool_forward_cpu(input.data(), planes, spatial, output.data());
  global_average_pool_backward_cpu(golden.read<float>("R").data(), planes, spatial, grad_input.data());
  // Means of 49 values ~1: torch sums in float32 (we in double), a few ulps.
  testing::expect_all_close(output, golden.read<float>("output"), 1e-6, 1e-6, "output");
  // grad/49 computed as grad·(1/49) here and as a division in torch: 1 ulp.
  testing::expect_all_close(grad_input, golden.read<float>("grad_input"), 1e-7, 1e-6, "grad_input");
}

}  // namespace
}  // namespace genint
