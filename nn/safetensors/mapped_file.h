// A read-only memory map of a whole regular file, unmapped when the owner goes away (RAII, move-only).
// Weight files are read through it so that opening a 200 MB checkpoint costs no copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace genint::io {

class MappedFile {
 public:
  MappedFile() = default;
  // Maps `path` read-only. Throws genint::Error naming the path when it is missing, not a regular
  // file, unreadable or cannot be mapped. An empty file maps to size() == 0 and data() == nullptr.
  explicit MappedFile(const std::string& path);

  const std::uint8_t* data() const { return data_.get(); }
  std::size_t size() const { return data_ ? data_.get_deleter().size : 0; }

 private:
  // Unmaps the `size` mapped bytes; never throws.
  struct Unmap {
    std::size_t size;
    void operator()(const std::uint8_t* data) const noexcept;
  };
  std::unique_ptr<const std::uint8_t, Unmap> data_;
};

}  // namespace genint::io
