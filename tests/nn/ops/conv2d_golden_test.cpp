// conv2d CPU forward and backward against PyTorch 1.13 goldens (tools/golden/make_nn_dense_goldens.py):
// 7x7/2 pad 3, 3x3/1 and /2, dilation 2, groups 2, 1x1/2 and 1x1/1, with and without bias.
#include <gtest/gtest.h>
#include <omp.h>

#include <string>
#include <vector>

#include "nn/ops/conv2d.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::GoldenFile;

Tensor tensor_from(const GoldenFile& golden, const std::string& name) {
  const std::vector<std::int64_t> sizes = golden.shape(name);
  Shape shape;
  if (sizes.size() == 1) shape = Shape{sizes[0]};
  if (sizes.size() == 4) shape = Shape{sizes[0], sizes[1], sizes[2], sizes[3]};
  Tensor tensor = Tensor::empty(shape, DType::Float32, Device::Cpu);
  const std::vector<float> values = golden.floats(name);
  tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

std::vector<float> values_of(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float));
  return values;
}

// The convolution's settings, recorded in the golden's metadata by tools/golden/make_nn_dense_goldens.py.
Conv2dParams params_of(const GoldenFile& golden) {
  Conv2dParams params;
  params.stride = golden.metadata_int("stride");
  params.padding = golden.metadata_int("padding");
  params.dilation = golden.metadata_int("dilation");
  params.groups = golden.metadata_int("groups");
  return params;
}

class Conv2dGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(Conv2dGolden, ForwardAndBackwardMatchPyTorch) {
  const GoldenFile golden = testing::open_nn_golden("conv2d_" + GetParam());
  const Tensor input = tensor_from(golden, "input"), weight = tensor_from(golden, "weight");
  const Tensor bias = golden.contains("bias") ? tensor_from(golden, "bias") : Tensor{};
  const Tensor output_grad = tensor_from(golden, "output_grad");
  const Conv2dParams params = params_of(golden);

  Arena scratch(Device::Cpu);
  Tensor output = Tensor::empty(output_grad.shape(), DType::Float32, Device::Cpu);
  conv2d_forward(input, weight, bias, output, params, scratch);
  Tensor input_grad = Tensor::empty(input.shape(), DType::Float32, Device::Cpu);
  Tensor weight_grad = Tensor::empty(weight.shape(), DType::Float32, Device::Cpu);
  Tensor bias_grad = bias.defined() ? Tensor::empty(bias.shape(), DType::Float32, Device::Cpu) : Tensor{};
  conv2d_backward(input, weight, output_grad, input_grad, weight_grad, bias_grad, params, scratch);

  // Sums of at most ~600 products of O(1) float32 values, in an order that need not match PyTorch's (genint's
  // oneDNN primitives by default, im2col+sgemm in the .im2col run; PyTorch's own mkldnn/thnn choice, version and
  // thread split may differ): rounding differences stay below ~1e-5 absolute; 1e-4 leaves margin while a wrong tap,
  // offset or group (errors of O(0.1)) still fails.
  testing::expect_all_close(values_of(output), golden.floats("output"), 1e-4, 1e-4, GetParam() + " output");
  testing::expect_all_close(values_of(input_grad), golden.floats("input_grad"), 1e-4, 1e-4, GetParam() + " input_grad");
  // The weight gradient sums batch·H·W products (up to ~200 terms of O(1)): same reasoning, 2e-4.
  testing::expect_all_close(values_of(weight_grad), golden.floats("weight_grad"), 2e-4, 1e-4,
                            GetParam() + " weight_grad");
  if (bias.defined())
    testing::expect_all_close(values_of(bias_grad), golden.floats("bias_grad"), 1e-4, 1e-4, GetParam() + " bias_grad");
}

TEST_P(Conv2dGolden, SingleThreadMatchesToo) {
  // The per-thread weight-gradient partials must reduce to the same answer with one thread.
  const int previous_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const GoldenFile golden = testing::open_nn_golden("conv2d_" + GetParam());
  const Tensor input = tensor_from(golden, "input"), weight = tensor_from(golden, "weight");
  const Tensor output_grad = tensor_from(golden, "output_grad");
  const Conv2dParams params = params_of(golden);
  Arena scratch(Device::Cpu);
  Tensor weight_grad = Tensor::empty(weight.shape(), DType::Float32, Device::Cpu);
  conv2d_backward(input, weight, output_grad, Tensor{}, weight_grad, Tensor{}, params, scratch);
  omp_set_num_threads(previous_threads);
  // Same bound as above: only the summation order differs from PyTorch's.
  testing::expect_all_close(values_of(weight_grad), golden.floats("weight_grad"), 2e-4, 1e-4,
                            GetParam() + " weight_grad");
}

INSTANTIATE_TEST_SUITE_P(PyTorchConfigs, Conv2dGolden,
                         ::testing::Values("7x7_stride2_pad3", "3x3_stride1_pad1", "3x3_stride2_pad1",
                                           "3x3_dilation2_pad2", "3x3_groups2_pad1", "1x1_stride2", "1x1_stride1"));

}  // namespace
}  // namespace genint
