// Dispatch file for DeviceBuffer: cudaMalloc/cudaMemcpy with the CUDA backend, a clear error without it.
// Copies are bounds-checked on the host because cudaMemcpy cannot know the buffer's size.
#include "nn/core/device_buffer.h"

#include <string>
#include <utility>

#include "nn/core/cuda_backend.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/error.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint {

DeviceBuffer::DeviceBuffer(std::size_t bytes) : bytes_(bytes) {
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaGetDevice(&device_));
  if (bytes > 0) GENINT_CUDA_CHECK(cudaMalloc(&data_, bytes));
#else
  throw_cuda_backend_absent("DeviceBuffer");
#endif
}

DeviceBuffer::~DeviceBuffer() {
  release();
}

DeviceBuffer::DeviceBuffer(DeviceBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)),
      bytes_(std::exchange(other.bytes_, 0)),
      device_(std::exchange(other.device_, -1)) {}

DeviceBuffer& DeviceBuffer::operator=(DeviceBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    device_ = std::exchange(other.device_, -1);
  }
  return *this;
}

void DeviceBuffer::release() noexcept {
#if GENINT_WITH_CUDA
  // Freed with its own device current: a thread that never used CUDA would otherwise free it from device 0,
  // creating a context there (CUDA 12+) just to free memory that lives elsewhere.
  if (data_ != nullptr)
    release_on_device(device_, "DeviceBuffer", [this] { GENINT_CUDA_CHECK_NOTHROW(cudaFree(data_)); });
#endif
  data_ = nullptr;
  bytes_ = 0;
}

void DeviceBuffer::copy_from_host(const void* source, std::size_t bytes) {
  GENINT_CHECK(bytes <= bytes_,
               "copy of " + std::to_string(bytes) + " bytes into a " + std::to_string(bytes_) + "-byte device buffer");
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemcpy(data_, source, bytes, cudaMemcpyHostToDevice));
  // A pageable upload returns once staged, its last DMA possibly still queued on the legacy default stream.
  GENINT_CUDA_CHECK(cudaStreamSynchronize(cudaStreamLegacy));
#else
  (void)source;
  throw_cuda_backend_absent("DeviceBuffer");
#endif
}

void DeviceBuffer::copy_to_host(void* destination, std::size_t bytes) const {
  GENINT_CHECK(bytes <= bytes_, "copy of " + std::to_string(bytes) + " bytes out of a " + std::to_string(bytes_) +
                                    "-byte device buffer");
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK(cudaMemcpy(destination, data_, bytes, cudaMemcpyDeviceToHost));
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
