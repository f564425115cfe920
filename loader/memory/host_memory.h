// Host memory for batch buffers: page-locked (pinned) when the CUDA backend is there so a trainer's
// host→device copies run asynchronously at full speed, plain aligned memory otherwise.
#pragma once

#include <cstddef>

namespace genint::loader {

class HostBuffer {
 public:
  HostBuffer() = default;
  // Throws genint::Error when `pinned` is asked of a build without the CUDA backend.
  HostBuffer(std::size_t bytes, bool pinned);
  ~HostBuffer();
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  HostBuffer(HostBuffer&& other) noexcept;
  HostBuffer& operator=(HostBuffer&& other) noexcept;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  bool pinned() const { return pinned_; }

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  bool pinned_ = false;
};

// True when pinned memory can be had here: CUDA backend built and a device present.
bool pinned_host_memory_available();

// The CUDA side (host_memory.cu); in a CPU-only build these throw (allocate) or do nothing (free).
void* allocate_pinned_host_memory(std::size_t bytes);
void free_pinned_host_memory(void* pointer) noexcept;

}  // namespace genint::loader
