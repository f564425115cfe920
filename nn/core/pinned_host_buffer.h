// An owning block of page-locked (pinned) host memory, for staging that CUDA copies read or write
// asynchronously. Free of CUDA headers; in a CPU-only build construction throws genint::Error.
#pragma once

#include <cstddef>
#include <memory>

namespace genint {

class PinnedHostBuffer {
 public:
  PinnedHostBuffer() = default;
  // cudaHostAlloc(portable): usable by copies on every device. Zero bytes allocate nothing.
  explicit PinnedHostBuffer(std::size_t bytes);
  PinnedHostBuffer(PinnedHostBuffer&& other) noexcept = default;
  PinnedHostBuffer& operator=(PinnedHostBuffer&& other) noexcept = default;

  void* data() const { return data_.get(); }
  std::size_t bytes() const { return data_ ? data_.get_deleter().bytes : 0; }

 private:
  // Never throws; the owner must have waited for every copy touching the memory.
  struct Free {
    std::size_t bytes;
    void operator()(void* data) const noexcept;
  };
  std::unique_ptr<void, Free> data_;
};

}  // namespace genint
