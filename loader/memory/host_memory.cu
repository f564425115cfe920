// Page-locked host memory through the CUDA runtime, for batch buffers a trainer copies to the GPU
// with cudaMemcpyAsync (pageable memory would make those copies synchronous and slower).
#include <cuda_runtime.h>

#include "loader/memory/host_memory.h"
#include "nn/core/cuda_check.h"

namespace genint::loader {

void* allocate_pinned_host_memory(std::size_t bytes) {
  void* pointer = nullptr;
  GENINT_CUDA_CHECK(cudaHostAlloc(&pointer, bytes, cudaHostAllocPortable));
  return pointer;
}

void free_pinned_host_memory(void* pointer) noexcept {
  // Called from destructors: a failure is logged, never thrown.
  GENINT_CUDA_CHECK_NOTHROW(cudaFreeHost(pointer));
}

}  // namespace genint::loader
