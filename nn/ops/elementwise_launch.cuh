// Launch plumbing shared by the ops' one-thread-per-value CUDA kernels: the flat thread index, the grid that covers a
// count in 256-thread blocks, and the checked launch on a caller's stream. Include it from .cu files only.
#pragma once

#include <cstdint>
#include <utility>

#include "nn/core/cuda_check.h"

namespace genint {

constexpr int kElementwiseThreads = 256;

// This thread's index over a one-dimensional grid.
__device__ inline std::int64_t flat_thread_index() {
  return static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
}

// Queues `kernel` with at least `count` threads, in blocks of kElementwiseThreads, on `stream` (a cudaStream_t;
// nullptr = default stream), and checks the launch. The kernel skips the indices at and past `count` itself.
template <typename... Parameters, typename... Arguments>
void launch_elementwise(void (*kernel)(Parameters...), std::int64_t count, void* stream, Arguments&&... arguments) {
  const auto blocks = static_cast<unsigned>((count + kElementwiseThreads - 1) / kElementwiseThreads);
  kernel<<<blocks, kElementwiseThreads, 0, static_cast<cudaStream_t>(stream)>>>(std::forward<Arguments>(arguments)...);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
