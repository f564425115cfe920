// Dispatch file for pinned host memory: cudaHostAlloc/cudaFreeHost with the CUDA backend, a clear error
// without it, so every build links the same way.
#include "nn/core/pinned_host_buffer.h"

#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint {

PinnedHostBuffer::PinnedHostBuffer(std::size_t bytes) {
#if GENINT_WITH_CUDA
  void* data = nullptr;
  if (bytes > 0) GENINT_CUDA_CHECK(cudaHostAlloc(&data, bytes, cudaHostAllocPortable));
  data_ = std::unique_ptr<void, Free>(data, Free{bytes});
#else
  throw_cuda_backend_absent(("pinned host memory (" + std::to_string(bytes) + " bytes)").c_str());
#endif
}

void PinnedHostBuffer::Free::operator()(void* data) const noexcept {
#if GENINT_WITH_CUDA
  GENINT_CUDA_CHECK_NOTHROW(cudaFreeHost(data));
#else
  (void)data;
#endif
}

}  // namespace genint
