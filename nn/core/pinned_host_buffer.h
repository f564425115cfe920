// An owning block of page-locked (pinned) host memory, for staging that CUDA copies read or write
// asynchronously. Free of CUDA headers; in a CPU-only build construction throws genint::Error.
#pragma once

#include <cstddef>

namespace genint {

class PinnedHostBuffer {
 public:
  PinnedHostBuffer() = default;
  // cudaHostAlloc(portable): usable by copies on every device. Zero bytes allocate nothing.
  explicit PinnedHostBuffer(std::size_t bytes);
  ~PinnedHostBuffer();  // never throws; the owner must have waited for every copy touching the memory
  PinnedHostBuffer(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer& operator=(const PinnedHostBuffer&) = delete;
  PinnedHostBuffer(PinnedHostBuffer&& other) noexcept;
  PinnedHostBuffer& operator=(PinnedHostBuffer&& other) noexcept;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
};

}  // namespace genint
