// float32 → bfloat16 rounding on known bit patterns (ties to even, carries into the exponent, infinities, NaN,
// subnormals) and the CPU bf16 twin of conv2d: its results are bf16 values within bf16 rounding of float32.
#include "nn/ops/bfloat16_convert.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#include "nn/ops/conv2d.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

float from_bits(std::uint32_t bits) {
  float value = 0.0f;
  std::memcpy(&value, &bits, sizeof(value));
  return value;
}

std::uint16_t bf16_of(float value) {
  std::uint16_t result = 0;
  float_to_bfloat16_cpu(&value, 1, &result);
  return result;
}

TEST(Bfloat16Convert, RoundsToNearestTiesToEven) {
  EXPECT_EQ(bf16_of(1.0f), 0x3f80u);
  EXPECT_EQ(bf16_of(-2.0f), 0xc000u);
  EXPECT_EQ(bf16_of(from_bits(0x3f808000u)), 0x3f80u);  // exactly half way, kept part even: down
  EXPECT_EQ(bf16_of(from_bits(0x3f818000u)), 0x3f82u);  // exactly half way, kept part odd: up to even
  EXPECT_EQ(bf16_of(from_bits(0x3f808001u)), 0x3f81u);  // just above half way: up
  EXPECT_EQ(bf16_of(from_bits(0x3f807fffu)), 0x3f80u);  // just below half way: down
  EXPECT_EQ(bf16_of(from_bits(0x3fffffffu)), 0x4000u);  // the carry moves into the exponent
  EXPECT_EQ(bf16_of(from_bits(0xbf818000u)), 0xbf82u);  // negative values round by magnitude
}

TEST(Bfloat16Convert, InfinitiesNanAndSubnormals) {
  const float infinity = std::numeric_limits<float>::infinity();
  EXPECT_EQ(bf16_of(infinity), 0x7f80u);
  EXPECT_EQ(bf16_of(-infinity), 0xff80u);
  EXPECT_EQ(bf16_of(std::numeric_limits<float>::max()), 0x7f80u);  // past bf16's largest finite value
  EXPECT_EQ(bf16_of(std::numeric_limits<float>::quiet_NaN()), 0x7fffu);
  EXPECT_EQ(bf16_of(from_bits(0xff800001u)), 0x7fffu);  // a negative signalling NaN too
  EXPECT_EQ(bf16_of(from_bits(0x00018000u)), 0x0002u);  // subnormal tie, kept part odd: up
  EXPECT_EQ(bf16_of(0.0f), 0x0000u);
  EXPECT_EQ(bf16_of(-0.0f), 0x8000u);
}

TEST(Bfloat16Convert, WideningIsExactAndRoundingIsIdempotent) {
  std::vector<float> values;
  for (std::uint32_t bits = 0; bits < 0xffffffffu - 0x10000u; bits += 0x10000u + 0x1234u)
    values.push_back(from_bits(bits));
  std::vector<std::uint16_t> halves(values.size());
  float_to_bfloat16_cpu(values.data(), static_cast<std::int64_t>(values.size()), halves.data());
  std::vector<float> widened(values.size());
  bfloat16_to_float_cpu(halves.data(), static_cast<std::int64_t>(halves.size()), widened.data());
  std::vector<float> rounded = values;
  round_to_bfloat16_cpu(rounded.data(), static_cast<std::int64_t>(rounded.size()));
  for (std::size_t index = 0; index < values.size(); ++index) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &widened[index], sizeof(bits));
    EXPECT_EQ(bits & 0xffffu, 0u) << "widened values are bf16 values";
    if (std::isnan(values[index])) {
      EXPECT_TRUE(std::isnan(rounded[index]));
      continue;
    }
    EXPECT_EQ(rounded[index], widened[index]);
    EXPECT_EQ(bf16_of(widened[index]), halves[index]) << "rounding a bf16 value changes nothing";
    // Round to nearest: off by at most half a bf16 unit in the last place (2^-8 relative to the value).
    if (std::isfinite(widened[index]) && std::fabs(values[index]) > 1e-30f) {
      EXPECT_LE(std::fabs(widened[index] - values[index]), std::ldexp(std::fabs(values[index]), -8));
    }
  }
}

// The CPU bf16 twin through the Tensor layer: outputs and gradients are bf16 values, the bias is added after the
// rounding, and the results sit within bf16 rounding of the float32 convolution.
TEST(Conv2dBf16Twin, ResultsAreBf16ValuesNearTheFloat32Ones) {
  const Conv2dParams float32{1, 1, 1, 1, false, nullptr, false};
  Conv2dParams bf16 = float32;
  bf16.bf16 = true;
  const auto make = [](const Shape& shape, std::uint32_t seed) {
    Tensor tensor = Tensor::zeros(shape, DType::Float32, Device::Cpu);
    const std::vector<float> values =
        testing::seeded_uniform(static_cast<std::size_t>(tensor.element_count()), seed, -0.5f, 0.5f);
    std::memcpy(tensor.data<float>(), values.data(), values.size() * sizeof(float));
    return tensor;
  };
  const Tensor input = make(Shape{2, 5, 7, 6}, 1), weight = make(Shape{4, 5, 3, 3}, 2), bias = make(Shape{4}, 3);
  const Tensor output_grad = make(Shape{2, 4, 7, 6}, 4);
  Arena scratch(Device::Cpu);
  Tensor outputs[2], input_grads[2], weight_grads[2], bias_grads[2];
  for (int mode = 0; mode < 2; ++mode) {
    outputs[mode] = Tensor::zeros(output_grad.shape(), DType::Float32, Device::Cpu);
    input_grads[mode] = Tensor::zeros(input.shape(), DType::Float32, Device::Cpu);
    weight_grads[mode] = Tensor::zeros(weight.shape(), DType::Float32, Device::Cpu);
    bias_grads[mode] = Tensor::zeros(bias.shape(), DType::Float32, Device::Cpu);
    const Conv2dParams& params = mode == 0 ? float32 : bf16;
    conv2d_forward(input, weight, bias, outputs[mode], params, scratch);
    conv2d_backward(input, weight, output_grad, input_grads[mode], weight_grads[mode], bias_grads[mode], params,
                    scratch);
  }
  const auto check = [](const Tensor& exact, const Tensor& twin, const float* bias_values, int plane,
                        const char* what) {
    double worst = 0.0, scale = 0.0;
    for (std::int64_t index = 0; index < exact.element_count(); ++index) {
      float value = twin.data<float>()[index];
      if (bias_values != nullptr) value -= bias_values[(index / plane) % 4];  // the bias is added after rounding
      std::uint16_t half = 0;
      float_to_bfloat16_cpu(&value, 1, &half);
      float widened = 0.0f;
      bfloat16_to_float_cpu(&half, 1, &widened);
      if (bias_values == nullptr) {
        EXPECT_EQ(widened, value) << what << " " << index << " is not a bf16 value";
      }
      worst = std::max(worst, std::fabs(static_cast<double>(twin.data<float>()[index]) - exact.data<float>()[index]));
      scale = std::max(scale, std::fabs(static_cast<double>(exact.data<float>()[index])));
    }
    // Each product has two operands rounded to 8 significant bits (relative error ≤ 2^-9 each) and the result is
    // rounded once more: ≤ 3·2^-9 ≈ 6e-3 of the largest magnitude (sums of mixed signs can only shrink it). 1.5e-2
    // leaves room for the sums; a missing rounding step would show as exactly 0 here, hence the lower bound.
    EXPECT_LE(worst / scale, 1.5e-2) << what;
    EXPECT_GT(worst / scale, 1e-5) << what << ": no bf16 rounding happened";
  };
  check(outputs[0], outputs[1], bias.data<float>(), 7 * 6, "output");
  check(input_grads[0], input_grads[1], nullptr, 1, "input_grad");
  check(weight_grads[0], weight_grads[1], nullptr, 1, "weight_grad");
  // The bias gradient sums the unrounded output gradient: the same in both modes up to summation order.
  for (int channel = 0; channel < 4; ++channel)
    EXPECT_NEAR(bias_grads[1].data<float>()[channel], bias_grads[0].data<float>()[channel], 1e-4);
}

}  // namespace
}  // namespace genint
