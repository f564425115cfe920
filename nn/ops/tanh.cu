// CUDA tanh: one thread per value with CUDA's tanhf (≤ 2 ulp), so within a few ulps of the CPU twin.
#include "nn/core/cuda_check.h"
#include "nn/ops/tanh.h"

namespace genint {
namespace {

__global__ void tanh_kernel(const float* input, std::int64_t count, float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index < count) output[index] = tanhf(input[index]);
}

}  // namespace

void tanh_forward_cuda(const float* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "tanh_forward_cuda: negative count");
  if (count == 0) return;
  constexpr int threads = 256;
  const auto blocks = static_cast<unsigned>((count + threads - 1) / threads);
  tanh_kernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(input, count, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
