// Dispatch file for DeviceBuffer: cudaMalloc/cudaMemcpy with the CUDA backend, a clear error without it.
// Copies are bounds-checked on the host because cudaMemcpy cannot know the buffer's size.
#include "nn/core/device_buffer.h"

#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/error.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint {

DeviceBuffer::DeviceBuffer(std::size_t bytes) {
#if GENINT_WITH_CUDA
  int device = 0;
  GENINT_CUDA_CHECK(cudaGetDevice(&device));
  void* data = nullptr;
  if (bytes > 0) GENINT_CUDA_CHECK(cudaMalloc(&data, bytes));
  data_ = std::unique_ptr<void, Free>(data, Free{bytes, device});
#else
  (void)bytes;
  throw_cuda_backend_absent("DeviceBuffer");
#endif
}

void DeviceBuffer::Free::operator()(void* data) const noexcept {
#if GENINT_WITH_CUDA
  // Freed with its own device current: a thread that never used CUDA would otherwise free it from device 0,
  // creating a context there (CUDA 12+) just to free memory that lives elsewhere.
  release_on_device(device, "DeviceBuffer", [data] { GENINT_CUDA_CHECK_NOTHROW(cudaFree(data)); });
#else
  (void)data;
#endif
}

void DeviceBuffer::copy_from_host(const void* source, std::size_t bytes) {
  GENINT_CHECK(bytes <= this->bytes(), "copy of " + std::to_string(bytes) + " bytes into a " +
                                           std::to_string(this->bytes()) + "-byte device buffer");
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemcpy(data(), source, bytes, cudaMemcpyHostToDevice));
  // A pageable upload returns once staged, its last DMA possibly still queued on the legacy default stream.
  GENINT_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));
#else
  (void)source;
  throw_cuda_backend_absent("DeviceBuffer");
#endif
}

void DeviceBuffer::copy_to_host(void* destination, std::size_t bytes) const {
  GENINT_CHECK(bytes <= this->bytes(), "copy of " + std::to_string(bytes) + " bytes out of a " +
                                           std::to_string(this->bytes()) + "-byte device buffer");
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemcpy(destination, data(), bytes, cudaMemcpyDeviceToHost));
#else
  (void)destination;
  throw_cuda_backend_absent("DeviceBuffer");
#endif
}

void cuda_synchronize() {
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaDeviceSynchronize());
#endif
}

void cuda_stream_synchronize(void* stream) {
#if GENINT_WITH_CUDA
  if (stream == nullptr) {
    GENINT_CUDA_CHECK(cudaDeviceSynchronize());
  } else {
    GENINT_CUDA_CHECK(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
  }
#else
  (void)stream;
#endif
}

}  // namespace genint
