// The element types a safetensors file can name: their header spelling, byte size and the order
// the reference writer lays them out in, plus the half-precision conversions the typed readers use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace genint::io {

// Declared in the reference implementation's order, which its writer sorts by (see writer_rank).
// Sub-byte types (F4, F6_*) are not supported: their byte count is not element count × size.
enum class SafetensorsDtype {
  Bool,
  U8,
  I8,
  F8_E5M2,
  F8_E4M3,
  F8_E8M0,
  I16,
  U16,
  F16,
  BF16,
  I32,
  U32,
  F32,
  C64,
  F64,
  I64,
  U64,
};

// "F32", "BOOL", ... exactly as written in the header.
const char* safetensors_dtype_name(SafetensorsDtype dtype);
std::size_t safetensors_dtype_size(SafetensorsDtype dtype);
// The header spelling → dtype; std::nullopt for names this reader does not know.
std::optional<SafetensorsDtype> parse_safetensors_dtype(std::string_view name);
// True for names the format defines but this reader refuses (packed sub-byte floats).
bool is_unsupported_safetensors_dtype(std::string_view name);

// IEEE binary16 and bfloat16 bit patterns → float, exact (every such value is a float).
float half_bits_to_float(std::uint16_t bits);
float bfloat16_bits_to_float(std::uint16_t bits);

// The dtype a C++ element type is stored as; a type without a specialisation cannot be read typed.
template <typename T>
struct SafetensorsDtypeOf;
template <>
struct SafetensorsDtypeOf<float> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::F32;
};
template <>
struct SafetensorsDtypeOf<double> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::F64;
};
template <>
struct SafetensorsDtypeOf<std::int64_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::I64;
};
template <>
struct SafetensorsDtypeOf<std::int32_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::I32;
};
template <>
struct SafetensorsDtypeOf<std::int16_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::I16;
};
template <>
struct SafetensorsDtypeOf<std::int8_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::I8;
};
template <>
struct SafetensorsDtypeOf<std::uint64_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::U64;
};
template <>
struct SafetensorsDtypeOf<std::uint32_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::U32;
};
template <>
struct SafetensorsDtypeOf<std::uint16_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::U16;
};
template <>
struct SafetensorsDtypeOf<std::uint8_t> {
  static constexpr SafetensorsDtype value = SafetensorsDtype::U8;
};

}  // namespace genint::io
