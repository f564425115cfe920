// Dispatch file for tensor byte moves: cudaMemcpy/cudaMemset with the CUDA backend, memcpy otherwise.
// A CPU-only build still links; asking it to touch CUDA memory throws a clear genint::Error.
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/tensor/tensor_memory.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint::detail {

void copy_bytes(void* destination, Device destination_device, const void* source, Device source_device,
                std::size_t bytes) {
  if (bytes == 0) return;
  if (destination_device == Device::Cpu && source_device == Device::Cpu) {
    std::memcpy(destination, source, bytes);
    return;
  }
#if GENINT_WITH_CUDA
  // cudaMemcpyDefault lets unified addressing work out the direction from the pointers themselves. cudaMemcpy
  // returns before a device-to-device copy (or a pageable upload's last DMA) is done, on the legacy default stream
  // that non-blocking streams do not wait for; the synchronize makes the copy finished when this returns.
  GENINT_CUDA_CHECK(cudaMemcpy(destination, source, bytes, cudaMemcpyDefault));
  GENINT_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));
#else
  throw_cuda_backend_absent("tensor copy of CUDA memory");
#endif
}

void zero_bytes(void* destination, Device device, std::size_t bytes) {
  if (bytes == 0) return;
  if (device == Device::Cpu) {
    std::memset(destination, 0, bytes);
    return;
  }
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemset(destination, 0, bytes));
  GENINT_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));  // cudaMemset on device memory is asynchronous
#else
  throw_cuda_backend_absent("tensor fill of CUDA memory");
#endif
}

void copy_bytes_on_stream(void* destination, Device destination_device, const void* source, Device source_device,
                          std::size_t bytes, void* stream) {
  if (bytes == 0) return;
  if (destination_device == Device::Cpu && source_device == Device::Cpu) {
    std::memcpy(destination, source, bytes);
    return;
  }
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyDefault, static_cast<cudaStream_t>(stream)));
#else
  static_cast<void>(stream);
  throw_cuda_backend_absent("tensor copy of CUDA memory");
#endif
}

void* allocate_aligned_host(std::size_t bytes, std::size_t alignment) {
  // aligned_alloc wants a size that is a multiple of the alignment, and at least one byte.
  const std::size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* pointer = std::aligned_alloc(alignment, rounded == 0 ? alignment : rounded);
  GENINT_CHECK(pointer != nullptr, "host allocation of " + std::to_string(bytes) + " bytes failed");
  return pointer;
}

void free_aligned_host(void* pointer) noexcept {
  std::free(pointer);
}

MemoryBlock::MemoryBlock(std::size_t bytes, Device device) : device_(device), bytes_(bytes) {
  if (device == Device::Cpu) {
    host_ = allocate_aligned_host(bytes, 256);  // what cudaMalloc guarantees, so both flavours align alike
  } else {
    device_buffer_ = DeviceBuffer(bytes);
  }
}

MemoryBlock::~MemoryBlock() {
  free_aligned_host(host_);
}

MemoryBlock::MemoryBlock(MemoryBlock&& other) noexcept
    : device_(other.device_),
      bytes_(std::exchange(other.bytes_, 0)),
      host_(std::exchange(other.host_, nullptr)),
      device_buffer_(std::move(other.device_buffer_)) {}

MemoryBlock& MemoryBlock::operator=(MemoryBlock&& other) noexcept {
  if (this != &other) {
    free_aligned_host(host_);
    device_ = other.device_;
    bytes_ = std::exchange(other.bytes_, 0);
    host_ = std::exchange(other.host_, nullptr);
    device_buffer_ = std::move(other.device_buffer_);
  }
  return *this;
}

}  // namespace genint::detail
