// Byte moves and fills between CPU and CUDA memory, for tensors and arenas (internal to nn/tensor).
// CUDA builds use cudaMemcpy(Async)/cudaMemset; CPU-only builds throw when a CUDA pointer is involved.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>

#include "nn/core/device.h"
#include "nn/core/device_buffer.h"

namespace genint::detail {

// Blocking copy of `bytes` from `source` on `source_device` to `destination` on `destination_device`, and a
// blocking fill with zeros: both finished when they return, whatever the direction. Work the caller queued on its
// own streams is not waited for: synchronize those first.
void copy_bytes(void* destination, Device destination_device, const void* source, Device source_device,
                std::size_t bytes);
void zero_bytes(void* destination, Device device, std::size_t bytes);
// The copy queued on `stream` (cudaMemcpyAsync) behind its earlier work; memcpy when both sides are on the CPU.
void copy_bytes_on_stream(void* destination, Device destination_device, const void* source, Device source_device,
                          std::size_t bytes, void* stream);

// One owned block of bytes on the CPU or a CUDA device, 256-byte aligned on both.
class MemoryBlock {
 public:
  MemoryBlock() = default;
  MemoryBlock(std::size_t bytes, Device device);
  void* data() const { return device_ == Device::Cpu ? host_.get() : device_buffer_.data(); }
  std::size_t bytes() const { return bytes_; }

 private:
  struct FreeHost {
    void operator()(void* pointer) const noexcept { std::free(pointer); }
  };
  Device device_ = Device::Cpu;
  std::size_t bytes_ = 0;
  std::unique_ptr<void, FreeHost> host_;  // aligned_alloc's memory (CPU blocks)
  DeviceBuffer device_buffer_;
};

}  // namespace genint::detail
