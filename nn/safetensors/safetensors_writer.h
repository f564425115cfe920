// Writes safetensors files byte-compatible with the reference writer: tensors laid out by dtype
// (widest first) then name, header keys in that order with __metadata__ first, padded to 8 bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <unordered_set>
#include <vector>

#include "nn/safetensors/safetensors_dtype.h"

namespace genint::io {

class SafetensorsWriter {
 public:
  // Copies `byte_size` bytes (little-endian elements). Throws genint::Error if the name is the
  // reserved "__metadata__", repeated or not UTF-8, or the byte size is not shape × dtype size.
  void add_tensor(const std::string& name, SafetensorsDtype dtype, std::vector<std::uint64_t> shape, const void* bytes,
                  std::size_t byte_size);
  template <typename T>
  void add(const std::string& name, std::vector<std::uint64_t> shape, const std::vector<T>& values) {
    add_tensor(name, SafetensorsDtypeOf<T>::value, std::move(shape), values.data(), values.size() * sizeof(T));
  }
  void add_bool(const std::string& name, std::vector<std::uint64_t> shape, const std::vector<bool>& values);
  // Both key and value must be UTF-8; setting a key again replaces its value.
  void set_metadata(const std::string& key, const std::string& value);

  std::size_t tensor_count() const { return tensors_.size(); }
  // The whole file in memory.
  std::vector<std::uint8_t> serialize() const;
  // Writes to a temporary file next to `path`, flushes it to disk and renames it over `path`, so a
  // reader sees either the old file or the complete new one. Throws genint::Error naming the path.
  void write_file(const std::string& path) const;

 private:
  struct PendingTensor {
    std::string name;
    SafetensorsDtype dtype;
    std::vector<std::uint64_t> shape;
    std::vector<std::uint8_t> bytes;
  };
  std::vector<const PendingTensor*> layout_order() const;
  // The 8-byte length field followed by the space-padded JSON header.
  std::string length_and_header(const std::vector<const PendingTensor*>& order) const;

  std::vector<PendingTensor> tensors_;
  std::unordered_set<std::string> names_;
  std::map<std::string, std::string> metadata_;  // sorted: deterministic output
};

}  // namespace genint::io
