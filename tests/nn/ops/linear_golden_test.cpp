// linear CPU forward and all gradients against PyTorch 1.13 goldens (tools/golden/make_nn_dense_goldens.py).
// Two shapes: a tiny one and a 16×96→10 one whose dot products are long enough to show summation-order noise.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/ops/linear.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::GoldenFile;

class LinearGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(LinearGolden, ForwardAndBackwardMatchPyTorch) {
  const GoldenFile golden = testing::open_nn_golden("linear_" + GetParam());
  const std::vector<std::int64_t> input_shape = golden.shape("input"), weight_shape = golden.shape("weight");
  LinearShape shape;
  shape.rows = static_cast<int>(input_shape[0]);
  shape.in_features = static_cast<int>(input_shape[1]);
  shape.out_features = static_cast<int>(weight_shape[0]);
  const std::vector<float> input = golden.floats("input"), weight = golden.floats("weight"),
                           bias = golden.floats("bias");
  const std::vector<float> output_grad = golden.floats("output_grad");
  std::vector<float> output(output_grad.size()), input_grad(input.size()), weight_grad(weight.size()),
      bias_grad(bias.size());
  linear_forward_cpu(shape, input.data(), weight.data(), bias.data(), output.data());
  linear_backward_cpu(shape, input.data(), weight.data(), output_grad.data(), input_grad.data(), weight_grad.data(),
                      bias_grad.data());
  // Dot products of ≤ 96 float32 terms of O(1): PyTorch and OpenBLAS sum in different orders, which moves
  // results by ~1e-6; 2e-5 leaves margin and still catches a transposed or missing term (errors of O(0.1)).
  testing::expect_all_close(output, golden.floats("output"), 2e-5, 1e-5, "output");
  testing::expect_all_close(input_grad, golden.floats("input_grad"), 2e-5, 1e-5, "input_grad");
  testing::expect_all_close(weight_grad, golden.floats("weight_grad"), 2e-5, 1e-5, "weight_grad");
  testing::expect_all_close(bias_grad, golden.floats("bias_grad"), 2e-5, 1e-5, "bias_grad");
}

INSTANTIATE_TEST_SUITE_P(PyTorchConfigs, LinearGolden, ::testing::Values("small", "wide"));

}  // namespace
}  // namespace genint
