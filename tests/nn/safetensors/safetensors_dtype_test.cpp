// Dtype names and sizes, and the binary16/bfloat16 → float conversions checked against an
// independent formula for every one of the 65536 bit patterns.
#include "nn/safetensors/safetensors_dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>

namespace genint::io {
namespace {

TEST(SafetensorsDtype, NamesRoundTripAndSizesMatchTheFormat) {
  for (int value = static_cast<int>(SafetensorsDtype::Bool); value <= static_cast<int>(SafetensorsDtype::U64);
       ++value) {
    const auto dtype = static_cast<SafetensorsDtype>(value);
    const auto parsed = parse_safetensors_dtype(safetensors_dtype_name(dtype));
    ASSERT_TRUE(parsed.has_value()) << safetensors_dtype_name(dtype);
    EXPECT_EQ(*parsed, dtype);
  }
  EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::Bool), 1U);
  EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::BF16), 2U);
  EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::F32), 4U);
  EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::C64), 8U);
  EXPECT_EQ(safetensors_dtype_size(SafetensorsDtype::U64), 8U);
  EXPECT_FALSE(parse_safetensors_dtype("F4").has_value());
  EXPECT_TRUE(is_unsupported_safetensors_dtype("F6_E2M3"));
  EXPECT_FALSE(parse_safetensors_dtype("float32").has_value());
}

// value = (-1)^sign × significand × 2^exponent, computed in double from the field definitions.
double half_by_formula(std::uint16_t bits) {
  const int sign = (bits >> 15U) != 0 ? -1 : 1;
  const int exponent = (bits >> 10U) & 0x1F;
  const int mantissa = bits & 0x3FF;
  if (exponent == 0) return sign * std::ldexp(mantissa, -24);
  return sign * std::ldexp(1024 + mantissa, exponent - 25);
}

TEST(SafetensorsDtype, HalfConversionIsExactForEveryBitPattern) {
  for (std::uint32_t bits = 0; bits <= 0xFFFFU; ++bits) {
    const auto half = static_cast<std::uint16_t>(bits);
    const float converted = half_bits_to_float(half);
    const int exponent = (half >> 10U) & 0x1F;
    if (exponent == 0x1F) {
      EXPECT_EQ(std::isnan(converted), (half & 0x3FFU) != 0) << bits;
      if ((half & 0x3FFU) == 0) {
        EXPECT_EQ(converted, (half >> 15U) != 0 ? -INFINITY : INFINITY) << bits;
      }
      continue;
    }
    EXPECT_EQ(static_cast<double>(converted), half_by_formula(half)) << "bits " << bits;
    EXPECT_EQ(std::signbit(converted), (half >> 15U) != 0) << bits;
  }
}

TEST(SafetensorsDtype, BFloat16IsTheUpperHalfOfAFloat) {
  for (const float value : {1.0F, -2.5F, 0.15625F, 3.140625F, -0.0F, INFINITY}) {
    std::uint32_t bits = 0;
    std::memcpy(&bits, &value, sizeof bits);
    EXPECT_EQ(bfloat16_bits_to_float(static_cast<std::uint16_t>(bits >> 16U)), value);
  }
  EXPECT_TRUE(std::isnan(bfloat16_bits_to_float(0x7FC0)));
}

}  // namespace
}  // namespace genint::io
