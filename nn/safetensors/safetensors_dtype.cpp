// Dtype names and sizes of the safetensors format, and exact binary16/bfloat16 → float conversion
// done with integer bit manipulation so that subnormals, infinities and NaNs survive unchanged.
#include "nn/safetensors/safetensors_dtype.h"

#include <array>
#include <cstring>

namespace genint::io {

namespace {
struct DtypeRow {
  SafetensorsDtype dtype;
  const char* name;
  std::size_t size;
};

constexpr std::array<DtypeRow, 17> kDtypeTable{{
    {SafetensorsDtype::Bool, "BOOL", 1},
    {SafetensorsDtype::U8, "U8", 1},
    {SafetensorsDtype::I8, "I8", 1},
    {SafetensorsDtype::F8_E5M2, "F8_E5M2", 1},
    {SafetensorsDtype::F8_E4M3, "F8_E4M3", 1},
    {SafetensorsDtype::F8_E8M0, "F8_E8M0", 1},
    {SafetensorsDtype::I16, "I16", 2},
    {SafetensorsDtype::U16, "U16", 2},
    {SafetensorsDtype::F16, "F16", 2},
    {SafetensorsDtype::BF16, "BF16", 2},
    {SafetensorsDtype::I32, "I32", 4},
    {SafetensorsDtype::U32, "U32", 4},
    {SafetensorsDtype::F32, "F32", 4},
    {SafetensorsDtype::C64, "C64", 8},
    {SafetensorsDtype::F64, "F64", 8},
    {SafetensorsDtype::I64, "I64", 8},
    {SafetensorsDtype::U64, "U64", 8},
}};

const DtypeRow& row_of(SafetensorsDtype dtype) {
  for (const auto& row : kDtypeTable) {
    if (row.dtype == dtype) return row;
  }
  return kDtypeTable[0];  // unreachable for a valid enum value; keeps the function total
}

float float_from_bits(std::uint32_t bits) {
  float value = 0.0F;
  std::memcpy(&value, &bits, sizeof value);
  return value;
}
}  // namespace

const char* safetensors_dtype_name(SafetensorsDtype dtype) {
  return row_of(dtype).name;
}

std::size_t safetensors_dtype_size(SafetensorsDtype dtype) {
  return row_of(dtype).size;
}

std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name) {
  for (const auto& row : kDtypeTable) {
    if (name == row.name) return row.dtype;
  }
  return std::nullopt;
}

bool is_unsupported_safetensors_dtype(std::string_view name) {
  return name == "F4" || name == "F6_E2M3" || name == "F6_E3M2";
}

float half_bits_to_float(std::uint16_t bits) {
  const std::uint32_t sign = static_cast<std::uint32_t>(bits & 0x8000U) << 16U;
  const std::uint32_t exponent = (bits >> 10U) & 0x1FU;
  std::uint32_t mantissa = bits & 0x3FFU;
  if (exponent == 0x1FU) return float_from_bits(sign | 0x7F800000U | (mantissa << 13U));  // inf, NaN
  if (exponent != 0) return float_from_bits(sign | ((exponent + 112U) << 23U) | (mantissa << 13U));
  if (mantissa == 0) return float_from_bits(sign);  // ±0
  // Subnormal half: shift the mantissa up until its leading 1 becomes the implicit bit.
  std::uint32_t float_exponent = 113U;
  while ((mantissa & 0x400U) == 0) {
    mantissa <<= 1U;
    --float_exponent;
  }
  return float_from_bits(sign | (float_exponent << 23U) | ((mantissa & 0x3FFU) << 13U));
}

float bfloat16_bits_to_float(std::uint16_t bits) {
  return float_from_bits(static_cast<std::uint32_t>(bits) << 16U);
}

}  // namespace genint::io
