// A read-only memory map of a whole regular file, unmapped when the owner goes away (RAII, move-only).
// Weight files are read through it so that opening a 200 MB checkpoint costs no copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace genint::io {

class MappedFile {
 public:
  MappedFile() = default;
  // Maps `path` read-only. Throws genint::Error naming the path when it is missing, not a regular
  // file, unreadable or cannot be mapped. An empty file maps to size() == 0 and data() == nullptr.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&& other) noexcept;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const std::uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }

 private:
  void unmap() noexcept;

  const std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace genint::io
