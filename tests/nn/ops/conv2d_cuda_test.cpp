// conv2d on cuDNN (FP32 and TF32) against the CPU twin through the Tensor layer, and the per-shape plan cache;
// skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "nn/ops/conv2d.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

struct ConvCase {
  int batch, in_channels, size, out_channels, kernel, stride, padding, dilation, groups;
};

Tensor random_tensor(const Shape& shape, float scale, unsigned seed, Device device) {
  std::vector<float> values(static_cast<std::size_t>(shape.element_count()));
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  for (float& value : values) value = normal(generator);
  Tensor tensor = Tensor::empty(shape, DType::Float32, device);
  tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

Tensor on(const Tensor& tensor, Device device) {
  Tensor copy = Tensor::empty(tensor.shape(), tensor.dtype(), device);
  copy.copy_from(tensor);
  return copy;
}

std::vector<float> host_values(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float));
  return values;
}

class Conv2dCuda : public ::testing::TestWithParam<ConvCase> {
 protected:
  void compare(bool allow_tf32, double tolerance, bool deterministic = false) {
    const ConvCase c = GetParam();
    const int fan_in = c.in_channels / c.groups * c.kernel * c.kernel;
    // Weights scaled by 1/sqrt(fan_in) keep outputs O(1), so one absolute+relative tolerance fits all shapes.
    const Tensor input = random_tensor(Shape{c.batch, c.in_channels, c.size, c.size}, 1.0f, 1, Device::Cpu);
    const Tensor weight = random_tensor(Shape{c.out_channels, c.in_channels / c.groups, c.kernel, c.kernel},
                                        1.0f / std::sqrt(static_cast<float>(fan_in)), 2, Device::Cpu);
    const Tensor bias = random_tensor(Shape{c.out_channels}, 0.1f, 3, Device::Cpu);
    Conv2dParams params;
    params.stride = c.stride;
    params.padding = c.padding;
    params.dilation = c.dilation;
    params.groups = c.groups;
    params.allow_tf32 = allow_tf32;
    params.deterministic = deterministic;
    const Conv2dShape shape = conv2d_shape(input, weight, params);
    const Shape output_shape{c.batch, c.out_channels, shape.out_height(), shape.out_width()};
    const Tensor output_grad = random_tensor(output_shape, 1.0f, 4, Device::Cpu);

    Arena cpu_scratch(Device::Cpu), gpu_scratch(Device::Cuda);
    struct Results {
      Tensor output, input_grad, weight_grad, bias_grad;
    };
    auto run = [&](Device device, Arena& scratch) {
      Results results{
          Tensor::empty(output_shape, DType::Float32, device), Tensor::empty(input.shape(), DType::Float32, device),
          Tensor::empty(weight.shape(), DType::Float32, device), Tensor::empty(bias.shape(), DType::Float32, device)};
      const Tensor device_input = on(input, device), device_weight = on(weight, device);
      conv2d_forward(device_input, device_weight, on(bias, device), results.output, params, scratch);
      conv2d_backward(device_input, device_weight, on(output_grad, device), results.input_grad, results.weight_grad,
                      results.bias_grad, params, scratch);
      return results;
    };
    const Results expected = run(Device::Cpu, cpu_scratch);
    const Results actual = run(Device::Cuda, gpu_scratch);
    if (deterministic) {
      // Algorithms cuDNN reports deterministic give the same bits on a second run.
      const Results again = run(Device::Cuda, gpu_scratch);
      EXPECT_EQ(host_values(again.output), host_values(actual.output));
      EXPECT_EQ(host_values(again.input_grad), host_values(actual.input_grad));
      EXPECT_EQ(host_values(again.weight_grad), host_values(actual.weight_grad));
      EXPECT_EQ(host_values(again.bias_grad), host_values(actual.bias_grad));
    }
    testing::expect_all_close(host_values(actual.output), host_values(expected.output), tolerance, tolerance, "output");
    testing::expect_all_close(host_values(actual.input_grad), host_values(expected.input_grad), tolerance, tolerance,
                              "input_grad");
    // The weight gradient sums batch·H·W products: its values are larger, the same relative bound applies.
    testing::expect_all_close(host_values(actual.weight_grad), host_values(expected.weight_grad), tolerance * 10,
                              tolerance, "weight_grad");
    testing::expect_all_close(host_values(actual.bias_grad), host_values(expected.bias_grad), tolerance * 10, tolerance,
                              "bias_grad");
  }
};

TEST_P(Conv2dCuda, Fp32MatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // FP32 (FMA math only): cuDNN's Winograd/FFT/implicit-GEMM kernels transform or reorder the sums;
  // for O(1) outputs that moves them by ~1e-5, so 2e-4 absolute + 2e-4 relative.
  compare(false, 2e-4);
}

TEST_P(Conv2dCuda, DeterministicAlgorithmsRepeatBitForBit) {
  GENINT_REQUIRE_CUDA_DEVICE();
  compare(false, 2e-4, true);  // the FP32 bound: the filter only narrows the algorithms
}

TEST_P(Conv2dCuda, Tf32StaysWithinTf32Rounding) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // TF32 keeps 10 mantissa bits per factor (relative error 2^-11 ≈ 5e-4 per product); random-signed
  // sums of O(1/sqrt(K)) terms keep the total near that: 5e-3 leaves 10× margin.
  compare(true, 5e-3);
}

INSTANTIATE_TEST_SUITE_P(ResNetLike, Conv2dCuda,
                         ::testing::Values(ConvCase{2, 3, 32, 16, 7, 2, 3, 1, 1},
                                           ConvCase{4, 16, 14, 16, 3, 1, 1, 1, 1},
                                           ConvCase{4, 16, 14, 32, 3, 2, 1, 1, 1},
                                           ConvCase{2, 32, 14, 64, 1, 2, 0, 1, 1},
                                           ConvCase{2, 32, 14, 64, 1, 1, 0, 1, 1}, ConvCase{2, 8, 13, 8, 3, 1, 2, 2, 1},
                                           ConvCase{2, 8, 9, 12, 3, 1, 1, 1, 2}),
                         [](const ::testing::TestParamInfo<ConvCase>& param_info) {
                           const ConvCase& c = param_info.param;
                           return "k" + std::to_string(c.kernel) + "s" + std::to_string(c.stride) + "p" +
                                  std::to_string(c.padding) + "d" + std::to_string(c.dilation) + "g" +
                                  std::to_string(c.groups) + "_" + std::to_string(c.in_channels) + "to" +
                                  std::to_string(c.out_channels);
                         });

TEST(Conv2dCudaPlans, ChosenOncePerShape) {
  GENINT_REQUIRE_CUDA_DEVICE();
  Conv2dShape shape;
  shape.batch = 3;
  shape.in_channels = 5;
  shape.in_height = shape.in_width = 11;
  shape.out_channels = 7;
  shape.kernel_height = shape.kernel_width = 3;
  const std::size_t before = conv2d_cached_plans();
  conv2d_scratch_bytes(Device::Cuda, shape, {});
  conv2d_scratch_bytes(Device::Cuda, shape, {});
  EXPECT_EQ(conv2d_cached_plans(), before + 1);
  Conv2dParams tf32;
  tf32.allow_tf32 = true;
  conv2d_scratch_bytes(Device::Cuda, shape, tf32);  // a different math mode is a different plan
  EXPECT_EQ(conv2d_cached_plans(), before + 2);
  Conv2dParams deterministic;
  deterministic.deterministic = true;
  conv2d_scratch_bytes(Device::Cuda, shape, deterministic);  // so is the deterministic filter
  EXPECT_EQ(conv2d_cached_plans(), before + 3);
}

}  // namespace
}  // namespace genint
