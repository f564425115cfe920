// Dispatch file for tensor byte moves: cudaMemcpy/cudaMemset with the CUDA backend, memcpy otherwise.
// A CPU-only build still links; asking it to touch CUDA memory throws a clear genint::Error.
#include <cstdlib>
#include <cstring>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/cuda_stream.h"
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
  cuda_copy_async(destination, source, bytes, stream);
}

MemoryBlock::MemoryBlock(std::size_t bytes, Device device) : device_(device), bytes_(bytes) {
  if (device != Device::Cpu) {
    device_buffer_ = DeviceBuffer(bytes);
    return;
  }
  // 256 bytes: what cudaMalloc guarantees, so both flavours align alike. aligned_alloc wants a size that is a
  // multiple of the alignment, and at least one byte.
  constexpr std::size_t kAlignment = 256;
  const std::size_t rounded = (bytes + kAlignment - 1) / kAlignment * kAlignment;
  host_.reset(std::aligned_alloc(kAlignment, rounded == 0 ? kAlignment : rounded));
  GENINT_CHECK(host_ != nullptr, "host allocation of " + std::to_string(bytes) + " bytes failed");
}

}  // namespace genint::detail
