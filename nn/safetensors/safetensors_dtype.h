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

// The dtype a C++ element type is stored as: SafetensorsDtypeOf<T>::value, picked by overload (exact match only); a
// type without an overload cannot be read typed.
struct SafetensorsElementDtypes {
  static constexpr SafetensorsDtype of(const float*) { return SafetensorsDtype::F32; }
  static constexpr SafetensorsDtype of(const double*) { return SafetensorsDtype::F64; }
  static constexpr SafetensorsDtype of(const std::int64_t*) { return SafetensorsDtype::I64; }
  static constexpr SafetensorsDtype of(const std::int32_t*) { return SafetensorsDtype::I32; }
  static constexpr SafetensorsDtype of(const std::int16_t*) { return SafetensorsDtype::I16; }
  static constexpr SafetensorsDtype of(const std::int8_t*) { return SafetensorsDtype::I8; }
  static constexpr SafetensorsDtype of(const std::uint64_t*) { return SafetensorsDtype::U64; }
  static constexpr SafetensorsDtype of(const std::uint32_t*) { return SafetensorsDtype::U32; }
  static constexpr SafetensorsDtype of(const std::uint16_t*) { return SafetensorsDtype::U16; }
  static constexpr SafetensorsDtype of(const std::uint8_t*) { return SafetensorsDtype::U8; }
};
template <typename T>
struct SafetensorsDtypeOf {
  static constexpr SafetensorsDtype value = SafetensorsElementDtypes::of(static_cast<const T*>(nullptr));
};

}  // namespace genint::io
