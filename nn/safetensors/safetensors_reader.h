// Reads safetensors files (the weight format of the whole project) from a memory map or a byte span,
// validating every header field first, so a truncated, overlapping or lying file is a genint::Error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "nn/safetensors/mapped_file.h"
#include "nn/safetensors/safetensors_dtype.h"

namespace genint::io {

// The format stores little-endian values and every typed accessor copies bytes as they are.
static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "safetensors reading assumes a little-endian host");

// The reference implementation's limit on the JSON header; a longer header is refused unread.
constexpr std::uint64_t kSafetensorsMaxHeaderBytes = 100'000'000;

// One tensor of an open file. `data` points into the file's bytes and stays valid as long as the
// SafetensorsFile it came from (moving that file keeps it valid). `data` may be unaligned: a file
// whose header length is not a multiple of 8 is legal, so use as<T>() (checks) or copy.
struct SafetensorsTensor {
  std::string name;
  SafetensorsDtype dtype = SafetensorsDtype::F32;
  std::vector<std::uint64_t> shape;  // [] is a scalar (one element)
  std::uint64_t element_count = 0;
  const std::uint8_t* data = nullptr;
  std::uint64_t byte_size = 0;
  std::uint64_t buffer_offset = 0;  // where the bytes begin, relative to the byte buffer

  // Zero-copy typed access: throws genint::Error if the dtype is not T's or `data` is not aligned for T.
  template <typename T>
  const T* as() const {
    check_typed_access(SafetensorsDtypeOf<T>::value, alignof(T));
    return static_cast<const T*>(static_cast<const void*>(data));
  }
  void check_typed_access(SafetensorsDtype wanted, std::size_t alignment) const;
};

// "[2, 3]": a tensor shape as messages show it.
std::string safetensors_shape_text(const std::vector<std::uint64_t>& shape);

class SafetensorsFile {
 public:
  // Maps the file read-only and validates it; the error message names `path`.
  static SafetensorsFile open(const std::string& path);
  // Validates bytes the caller owns and must keep alive (and unchanged) while the result is used.
  static SafetensorsFile view_bytes(const std::uint8_t* data, std::size_t size, std::string source_name = "<memory>");
  // Takes ownership of `bytes`.
  static SafetensorsFile take_bytes(std::vector<std::uint8_t> bytes, std::string source_name = "<memory>");

  const std::string& source_name() const { return source_name_; }
  std::size_t tensor_count() const { return tensors_.size(); }
  // Tensor names in the order the header lists them.
  std::vector<std::string> names() const;
  bool contains(const std::string& name) const { return index_.count(name) != 0; }
  // Throws genint::Error naming the file and the tensor when there is no such tensor.
  const SafetensorsTensor& tensor(const std::string& name) const;
  // For loaders of a network's weights: throws genint::Error naming the file and the tensor unless `name` is there
  // with exactly `shape` ("<file>: <network> tensor 'name' is missing", "... has shape [..], the network needs [..]").
  void expect_shape(const std::string& name, const std::vector<std::uint64_t>& shape, const std::string& network) const;
  const std::vector<SafetensorsTensor>& tensors() const { return tensors_; }
  // The "__metadata__" map; empty when the file has none.
  const std::map<std::string, std::string>& metadata() const { return metadata_; }

  // Copies a tensor whose dtype is exactly T's (unaligned data is fine). Throws on a dtype mismatch.
  template <typename T>
  std::vector<T> read(const std::string& name) const {
    std::vector<T> values(static_cast<std::size_t>(typed_tensor(name, SafetensorsDtypeOf<T>::value).element_count));
    read_into(name, values.data(), values.size());
    return values;
  }
  // As read(), into a caller-owned buffer of exactly the tensor's element count (for reused buffers).
  template <typename T>
  void read_into(const std::string& name, T* destination, std::size_t element_count) const {
    const SafetensorsTensor& found = typed_tensor(name, SafetensorsDtypeOf<T>::value);
    check_destination_count(found, element_count);
    if (found.byte_size != 0) std::memcpy(destination, found.data, static_cast<std::size_t>(found.byte_size));
  }
  // F32, F16 or BF16 → float (exact: every F16/BF16 value is a float); other dtypes are refused.
  std::vector<float> read_as_float(const std::string& name) const;
  void read_as_float_into(const std::string& name, float* destination, std::size_t element_count) const;
  // BOOL tensor → bools; a byte other than 0 or 1 is an error (it has no defined meaning).
  std::vector<bool> read_bool(const std::string& name) const;

 private:
  SafetensorsFile() = default;
  void parse(const std::uint8_t* data, std::size_t size);
  const SafetensorsTensor& typed_tensor(const std::string& name, SafetensorsDtype wanted) const;
  void check_destination_count(const SafetensorsTensor& found, std::size_t element_count) const;

  std::string source_name_;
  MappedFile mapping_;
  std::vector<std::uint8_t> owned_bytes_;
  std::vector<SafetensorsTensor> tensors_;
  std::unordered_map<std::string, std::size_t> index_;
  std::map<std::string, std::string> metadata_;
};

}  // namespace genint::io
