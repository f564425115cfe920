// CUDA ReLU forward and backward: one thread per value. Selections only, so bit-identical to the CPU twin.
#include "nn/core/cuda_check.h"
#include "nn/ops/relu.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

__global__ void relu_forward_kernel(const float* input, std::int64_t count, float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= count) return;
  const float value = input[index];
  output[index] = value < 0.0f ? 0.0f : value;  // NaN passes through, as on the CPU and in torch
}

__global__ void relu_backward_kernel(const float* grad_output, const float* output, std::int64_t count,
                                     float* grad_input) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= count) return;
  grad_input[index] = output[index] > 0.0f ? grad_output[index] : 0.0f;
}

unsigned blocks_for(std::int64_t count) {
  return static_cast<unsigned>((count + kThreads - 1) / kThreads);
}

}  // namespace

void relu_forward_cuda(const float* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "relu_forward_cuda: negative count");
  if (count == 0) return;
  relu_forward_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(input, count, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

void relu_backward_cuda(const float* grad_output, const float* output, std::int64_t count, float* grad_input,
                        void* stream) {
  GENINT_CHECK(count >= 0, "relu_backward_cuda: negative count");
  if (count == 0) return;
  relu_backward_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(grad_output, output,
                                                                                              count, grad_input);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
