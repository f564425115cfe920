// An owning block of CUDA device memory with host copies, usable from code that never sees CUDA headers.
// In a CPU-only build every allocation throws genint::Error saying the backend is absent.
#pragma once

#include <cstddef>

namespace genint {

class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  explicit DeviceBuffer(std::size_t bytes);
  ~DeviceBuffer();
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  DeviceBuffer(DeviceBuffer&& other) noexcept;
  DeviceBuffer& operator=(DeviceBuffer&& other) noexcept;

  void* data() const { return data_; }
  std::size_t bytes() const { return bytes_; }
  // Blocking copies; `bytes` must not exceed the buffer.
  void copy_from_host(const void* source, std::size_t bytes);
  void copy_to_host(void* destination, std::size_t bytes) const;

 private:
  void release() noexcept;
  void* data_ = nullptr;
  std::size_t bytes_ = 0;
  int device_ = -1;  // the device current at allocation, current again when the memory is freed
};

// Waits for all work queued on the current CUDA device (a no-op in a CPU-only build).
void cuda_synchronize();
// Waits for the work queued on one stream (a cudaStream_t as void*; nullptr: the whole device, as the legacy
// default stream would); a no-op in a CPU-only build. Lets one producer wait for its own work, not the others'.
void cuda_stream_synchronize(void* stream);

}  // namespace genint
