// An owning block of CUDA device memory with host copies, usable from code that never sees CUDA headers.
// In a CPU-only build every allocation throws genint::Error saying the backend is absent.
#pragma once

#include <cstddef>
#include <memory>

namespace genint {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  DeviceBuffer(DeviceBuffer&& other) noexcept = default;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept = default;

  void* data() const { return data_.get(); }
  std::size_t bytes() const { return data_ ? data_.get_deleter().bytes : 0; }
  // Blocking copies; `bytes` must not exceed the buffer.
  void copy_from_host(const void* source, std::size_t bytes);
  void copy_to_host(void* destination, std::size_t bytes) const;

 private:
  // Frees the memory with `device` current: the device current at allocation.
  struct Free {
    std::size_t bytes;
    int device;
    void operator()(void* data) const noexcept;
  };
  std::unique_ptr<void, Free> data_;
};

// Waits for all work queued on the current CUDA device (a no-op in a CPU-only build).
void cuda_synchronize();
// Waits for the work queued on one stream (a cudaStream_t as void*; nullptr: the whole device, as the legacy
// default stream would); a no-op in a CPU-only build. Lets one producer wait for its own work, not the others'.
void cuda_stream_synchronize(void* stream);

}  // namespace genint
