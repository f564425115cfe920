// CUDA device helper shared by the row-per-block kernels (softmax, cross entropy): a fixed-tree reduction over
// one block, so the result is deterministic. Device code only: include it from .cu files, never from a header.
#pragma once

namespace genint {

// Reduces one value per thread with `combine` and returns the result to every thread. The block must have
// exactly kBlockThreads threads (a power of two) and `scratch` must hold kBlockThreads values in shared memory.
// The last barrier lets callers reuse `scratch` right away.
template <int kBlockThreads, typename T, typename Combine>
__device__ T block_reduce(T value, T* scratch, Combine combine) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (int stride = kBlockThreads / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride)
      scratch[threadIdx.x] = combine(scratch[threadIdx.x], scratch[threadIdx.x + stride]);
    __syncthreads();
  }
  const T result = scratch[0];
  __syncthreads();
  return result;
}

}  // namespace genint
