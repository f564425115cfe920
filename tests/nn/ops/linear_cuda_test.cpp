// linear on cuBLAS (FP32 and TF32) against the CPU twin, bias kernels included; skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "nn/core/device_buffer.h"
#include "nn/ops/linear.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

std::vector<float> random_values(std::size_t count, float scale, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> values(count);
  for (float& value : values) value = normal(generator);
  return values;
}

DeviceBuffer to_device(const std::vector<float>& values) {
  DeviceBuffer buffer(values.size() * sizeof(float));
  buffer.copy_from_host(values.data(), values.size() * sizeof(float));
  return buffer;
}

std::vector<float> to_host(const DeviceBuffer& buffer, std::size_t count) {
  std::vector<float> values(count);
  buffer.copy_to_host(values.data(), count * sizeof(float));
  return values;
}

float* floats(const DeviceBuffer& buffer) {
  return static_cast<float*>(buffer.data());
}

void compare(bool allow_tf32, double tolerance) {
  const LinearShape shape{37, 300, 41};  // odd sizes: partial blocks in the bias kernels
  const auto input = random_values(37 * 300, 1.0f, 1);
  const auto weight = random_values(41 * 300, 1.0f / std::sqrt(300.0f), 2);  // keeps outputs O(1)
  const auto bias = random_values(41, 0.1f, 3), output_grad = random_values(37 * 41, 1.0f, 4);
  std::vector<float> output(37 * 41), input_grad(input.size()), weight_grad(weight.size()), bias_grad(41);
  linear_forward_cpu(shape, input.data(), weight.data(), bias.data(), output.data());
  linear_backward_cpu(shape, input.data(), weight.data(), output_grad.data(), input_grad.data(), weight_grad.data(),
                      bias_grad.data());
  const DeviceBuffer device_input = to_device(input), device_weight = to_device(weight), device_bias = to_device(bias);
  const DeviceBuffer device_output_grad = to_device(output_grad);
  DeviceBuffer device_output(output.size() * 4), device_input_grad(input.size() * 4),
      device_weight_grad(weight.size() * 4), device_bias_grad(bias.size() * 4);
  MatmulPrecision precision;
  precision.allow_tf32 = allow_tf32;
  linear_forward(OpTarget::cuda(), shape, floats(device_input), floats(device_weight), floats(device_bias),
                 floats(device_output), precision);
  linear_backward(OpTarget::cuda(), shape, floats(device_input), floats(device_weight), floats(device_output_grad),
                  floats(device_input_grad), floats(device_weight_grad), floats(device_bias_grad), precision);
  testing::expect_all_close(to_host(device_output, output.size()), output, tolerance, tolerance, "output");
  testing::expect_all_close(to_host(device_input_grad, input.size()), input_grad, tolerance, tolerance, "input_grad");
  // dW sums 37 products of O(1) terms: values up to ~10, hence the larger absolute part.
  testing::expect_all_close(to_host(device_weight_grad, weight.size()), weight_grad, tolerance * 10, tolerance,
                            "weight_grad");
  testing::expect_all_close(to_host(device_bias_grad, bias.size()), bias_grad, tolerance * 10, tolerance, "bias_grad");
}

TEST(LinearCuda, Fp32MatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // Same float32 products, different summation order (cuBLAS tiles vs OpenBLAS): ~1e-6 on O(1) values.
  compare(false, 1e-4);
}

TEST(LinearCuda, Tf32StaysWithinTf32Rounding) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // TF32 products carry ~5e-4 relative error each; over 300 random-signed O(1/sqrt(300)) terms the
  // total stays near that, so 5e-3 leaves 10× margin.
  compare(true, 5e-3);
}

}  // namespace
}  // namespace genint
