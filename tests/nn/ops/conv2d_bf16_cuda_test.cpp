// conv2d's CUDA bf16 mode against its CPU twin on ResNet's shapes (7x7/2 stem, 3x3/1, 3x3/2, 1x1/2 downsample, a
// 1x1 with bias), forward and both gradients; and the CUDA bf16 conversions bit for bit against the CPU's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "nn/core/device_buffer.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(Bfloat16ConvertCuda, BitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  std::vector<float> values;
  for (std::uint32_t bits = 0; bits < 0xffff0000u; bits += 0x8000u + 0x0101u) {
    float value = 0.0f;
    std::memcpy(&value, &bits, sizeof(value));
    values.push_back(value);
  }
  values.push_back(std::numeric_limits<float>::infinity());
  values.push_back(std::numeric_limits<float>::quiet_NaN());
  const auto count = static_cast<std::int64_t>(values.size());
  std::vector<std::uint16_t> expected(values.size()), actual(values.size());
  float_to_bfloat16_cpu(values.data(), count, expected.data());
  DeviceBuffer device_floats(values.size() * sizeof(float)), device_halves(values.size() * sizeof(std::uint16_t));
  device_floats.copy_from_host(values.data(), values.size() * sizeof(float));
  float_to_bfloat16(OpTarget::cuda(), static_cast<const float*>(device_floats.data()), count,
                    static_cast<std::uint16_t*>(device_halves.data()));
  device_halves.copy_to_host(actual.data(), actual.size() * sizeof(std::uint16_t));
  EXPECT_EQ(actual, expected);
  std::vector<float> widened_expected(values.size()), widened_actual(values.size());
  bfloat16_to_float_cpu(expected.data(), count, widened_expected.data());
  bfloat16_to_float(OpTarget::cuda(), static_cast<const std::uint16_t*>(device_halves.data()), count,
                    static_cast<float*>(device_floats.data()));
  device_floats.copy_to_host(widened_actual.data(), widened_actual.size() * sizeof(float));
  EXPECT_EQ(std::memcmp(widened_actual.data(), widened_expected.data(), values.size() * sizeof(float)), 0);
}

struct Case {
  const char* name;
  int batch, in_channels, size, out_channels, kernel, stride;
  bool bias;
};

Tensor on(Device device, const Shape& shape, const std::vector<float>& values) {
  Tensor tensor = Tensor::zeros(shape, DType::Float32, device);
  if (!values.empty()) tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

std::vector<float> host_values(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float));
  return values;
}

// Both sides convolve the same bf16 operands with float32 sums; only the summation order differs (~1e-6
// relative), so each result rounds to the same bf16 value or a neighbour: at most one bf16 unit in the last place
// (2^-7 of the value), plus 1e-5 of the tensor's scale for results that cancel to near zero.
void expect_within_one_bf16_ulp(const std::vector<float>& actual, const std::vector<float>& expected,
                                const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  double scale = 0.0;
  for (const float value : expected) scale = std::max(scale, std::fabs(static_cast<double>(value)));
  ASSERT_GT(scale, 0.0) << what;
  int failures = 0;
  for (std::size_t index = 0; index < expected.size() && failures < 5; ++index) {
    const double bound = std::ldexp(std::fabs(static_cast<double>(expected[index])), -7) + 1e-5 * scale;
    if (std::fabs(static_cast<double>(actual[index]) - expected[index]) > bound) {
      ADD_FAILURE() << what << "[" << index << "]: " << actual[index] << " vs the CPU twin's " << expected[index];
      ++failures;
    }
  }
}

TEST(Conv2dBf16Cuda, MatchesTheCpuTwinOnResNetShapes) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const Case cases[] = {{"stem 7x7/2", 2, 3, 32, 16, 7, 2, false},
                        {"3x3/1", 2, 16, 12, 24, 3, 1, false},
                        {"3x3/2", 3, 24, 12, 32, 3, 2, false},
                        {"downsample 1x1/2", 2, 32, 8, 64, 1, 2, false},
                        {"1x1 with bias", 2, 16, 6, 8, 1, 1, true}};
  Arena cpu_scratch(Device::Cpu), cuda_scratch(Device::Cuda);
  const auto values = [](std::int64_t count, unsigned seed) {
    return testing::seeded_uniform(static_cast<std::size_t>(count), seed, -0.5f, 0.5f);
  };
  for (const Case& test : cases) {
    SCOPED_TRACE(test.name);
    Conv2dParams params;
    params.stride = test.stride;
    params.padding = test.kernel / 2;
    params.bf16 = true;
    const Shape input_shape{test.batch, test.in_channels, test.size, test.size};
    const Shape weight_shape{test.out_channels, test.in_channels, test.kernel, test.kernel};
    const int out_size = (test.size + 2 * params.padding - test.kernel) / test.stride + 1;
    const Shape output_shape{test.batch, test.out_channels, out_size, out_size};
    const std::vector<float> input = values(input_shape.element_count(), 1);
    const std::vector<float> weight = values(weight_shape.element_count(), 2);
    const std::vector<float> output_grad = values(output_shape.element_count(), 3);
    const std::vector<float> bias = test.bias ? values(test.out_channels, 4) : std::vector<float>{};
    std::vector<float> results[2][4];  // [cpu, cuda][output, input_grad, weight_grad, bias_grad]
    for (int side = 0; side < 2; ++side) {
      const Device device = side == 0 ? Device::Cpu : Device::Cuda;
      Arena& scratch = side == 0 ? cpu_scratch : cuda_scratch;
      const Tensor x = on(device, input_shape, input), w = on(device, weight_shape, weight);
      const Tensor dy = on(device, output_shape, output_grad);
      const Tensor b = test.bias ? on(device, Shape{test.out_channels}, bias) : Tensor{};
      const Tensor y = on(device, output_shape, {}), dx = on(device, input_shape, {}),
                   dw = on(device, weight_shape, {});
      const Tensor db = test.bias ? on(device, Shape{test.out_channels}, {}) : Tensor{};
      conv2d_forward(x, w, b, y, params, scratch);
      conv2d_backward(x, w, dy, dx, dw, db, params, scratch);
      results[side][0] = host_values(y);
      results[side][1] = host_values(dx);
      results[side][2] = host_values(dw);
      if (test.bias) results[side][3] = host_values(db);
    }
    // The bias is added in float32 after the rounding on both sides: compare what was rounded.
    const std::size_t plane = static_cast<std::size_t>(out_size) * static_cast<std::size_t>(out_size);
    for (auto& side : results)
      for (std::size_t index = 0; test.bias && index < side[0].size(); ++index)
        side[0][index] -= bias[(index / plane) % static_cast<std::size_t>(test.out_channels)];
    expect_within_one_bf16_ulp(results[1][0], results[0][0], "output");
    expect_within_one_bf16_ulp(results[1][1], results[0][1], "input_grad");
    expect_within_one_bf16_ulp(results[1][2], results[0][2], "weight_grad");
    // The bias gradient is a float32 sum of the unrounded output gradient on both sides.
    for (std::size_t channel = 0; channel < results[0][3].size(); ++channel)
      EXPECT_NEAR(results[1][3][channel], results[0][3][channel], 1e-4) << "bias_grad " << channel;
  }
  cuda_synchronize();
}

// A bfloat16 tensor on `device` holding `values` rounded.
Tensor bf16_on(Device device, const Shape& shape, const std::vector<float>& values) {
  std::vector<std::uint16_t> bits(values.size());
  float_to_bfloat16_cpu(values.data(), static_cast<std::int64_t>(values.size()), bits.data());
  Tensor tensor = Tensor::empty(shape, DType::BFloat16, device);
  tensor.copy_from_host(bits.data(), bits.size() * sizeof(std::uint16_t));
  return tensor;
}

std::vector<float> widened_values(const Tensor& tensor) {
  std::vector<std::uint16_t> bits(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(bits.data(), bits.size() * sizeof(std::uint16_t));
  std::vector<float> values(bits.size());
  bfloat16_to_float_cpu(bits.data(), static_cast<std::int64_t>(bits.size()), values.data());
  return values;
}

// bf16 tensors in and out (weights converted once, activations kept in bf16): the CPU twin widens them, convolves in
// float32 and rounds the result, the bias added in float32 and rounded again; CUDA hands them to cuDNN as they are.
TEST(Conv2dBf16Cuda, Bfloat16TensorsMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  Arena cpu_scratch(Device::Cpu), cuda_scratch(Device::Cuda);
  Conv2dParams params;
  params.padding = 1;
  params.bf16 = true;
  const Shape input_shape{2, 16, 12, 12}, weight_shape{24, 16, 3, 3}, output_shape{2, 24, 12, 12};
  const auto input = testing::seeded_uniform(static_cast<std::size_t>(input_shape.element_count()), 11, -0.5f, 0.5f);
  const auto weight = testing::seeded_uniform(static_cast<std::size_t>(weight_shape.element_count()), 12, -0.5f, 0.5f);
  const auto bias = testing::seeded_uniform(24, 13, -0.5f, 0.5f);
  for (const bool with_bias : {false, true}) {
    SCOPED_TRACE(with_bias ? "with bias" : "without bias");
    std::vector<float> results[2];
    for (int side = 0; side < 2; ++side) {
      const Device device = side == 0 ? Device::Cpu : Device::Cuda;
      const Tensor y = Tensor::empty(output_shape, DType::BFloat16, device);
      conv2d_forward(bf16_on(device, input_shape, input), bf16_on(device, weight_shape, weight),
                     with_bias ? on(device, Shape{24}, bias) : Tensor{}, y, params,
                     side == 0 ? cpu_scratch : cuda_scratch);
      results[side] = widened_values(y);
    }
    // The sums differ in order only; each of the (one or two) roundings may then land one bf16 ulp (2^-8 relative)
    // apart, measured on the larger of the result and the sum before the bias: 2^-7·(|out| + |bias|) bounds both.
    const std::size_t plane = 144;
    for (std::size_t index = 0; index < results[0].size(); ++index) {
      const double added = with_bias ? std::fabs(bias[(index / plane) % 24]) : 0.0;
      const double bound = std::ldexp(std::fabs(static_cast<double>(results[0][index])) + added, -7) + 1e-5;
      ASSERT_LE(std::fabs(static_cast<double>(results[1][index]) - results[0][index]), bound) << "output " << index;
    }
  }
  cuda_synchronize();
}

}  // namespace
}  // namespace genint
