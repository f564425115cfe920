// Dispatch file for pinned host memory: cudaHostAlloc/cudaFreeHost with the CUDA backend, a clear error
// without it, so every build links the same way.
#include "nn/core/pinned_host_buffer.h"

#include <string>
#include <utility>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint {

PinnedHostBuffer::PinnedHostBuffer(std::size_t bytes) {
#if GENINT_WITH_CUDA
  if (bytes > 0) GENINT_CUDA_CHECK(cudaHostAlloc(&data_, bytes, cudaHostAllocPortable));
  bytes_ = bytes;
#else
  throw_cuda_backend_absent(("pinned host memory (" + std::to_string(bytes) + " bytes)").c_str());
#endif
}

PinnedHostBuffer::~PinnedHostBuffer() {
  release();
}

PinnedHostBuffer::PinnedHostBuffer(PinnedHostBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)) {}

PinnedHostBuffer& PinnedHostBuffer::operator=(PinnedHostBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
  }
  return *this;
}

void PinnedHostBuffer::release() noexcept {
#if GENINT_WITH_CUDA
  if (data_ != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaFreeHost(data_));
#endif
  data_ = nullptr;
  bytes_ = 0;
}

}  // namespace genint
