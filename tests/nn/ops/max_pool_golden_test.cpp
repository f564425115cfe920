// Max pooling 3×3/2 pad 1 (ResNet stem) against the PyTorch 1.13 golden: output, argmax indices, backward.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/max_pool.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(MaxPoolGolden, ForwardIndicesAndBackwardMatchTorch) {
  const auto golden = testing::open_nn_golden("max_pool");
  MaxPoolShape shape;  // defaults are ResNet's 3×3, stride 2, padding 1, as the golden
  shape.batch = golden.dimension("input", 0);
  shape.channels = golden.dimension("input", 1);
  shape.height = golden.dimension("input", 2);
  shape.width = golden.dimension("input", 3);
  const auto input = golden.read<float>("input");
  const auto expected_indices = golden.read<std::int32_t>("indices");
  std::vector<float> output(expected_indices.size());
  std::vector<std::int32_t> argmax(expected_indices.size());
  max_pool_forward_cpu(input.data(), shape, output.data(), argmax.data());
  // Max selection and a scatter of one or a few adds in the same order as torch: exact.
  testing::expect_all_close(output, golden.read<float>("output"), 0.0, 0.0, "output");
  EXPECT_EQ(argmax, expected_indices);
  std::vector<float> grad_input(input.size());
  max_pool_backward_cpu(golden.read<float>("R").data(), argmax.data(), shape, grad_input.data());
  // A cell winning several windows sums them; torch may add in another order: 1 ulp of values ~3.
  testing::expect_all_close(grad_input, golden.read<float>("grad_input"), 1e-6, 1e-6, "grad_input");
}

}  // namespace
}  // namespace genint
