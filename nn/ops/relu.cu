// CUDA ReLU forward and backward: one thread per value. Selections only, so bit-identical to the CPU twin.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/relu.h"

namespace genint {
namespace {

__global__ void relu_forward_kernel(const float* input, std::int64_t count, float* output) {
  const std::int64_t index = flat_thread_index();
  if (index >= count) return;
  const float value = input[index];
  output[index] = value < 0.0f ? 0.0f : value;  // NaN passes through, as on the CPU and in torch
}

__global__ void relu_backward_kernel(const float* grad_output, const float* output, std::int64_t count,
                                     float* grad_input) {
  const std::int64_t index = flat_thread_index();
  if (index >= count) return;
  grad_input[index] = output[index] > 0.0f ? grad_output[index] : 0.0f;
}

}  // namespace

void relu_forward_cuda(const float* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "relu_forward_cuda: negative count");
  if (count > 0) launch_elementwise(relu_forward_kernel, count, stream, input, count, output);
}

void relu_backward_cuda(const float* grad_output, const float* output, std::int64_t count, float* grad_input,
                        void* stream) {
  GENINT_CHECK(count >= 0, "relu_backward_cuda: negative count");
  if (count > 0) launch_elementwise(relu_backward_kernel, count, stream, grad_output, output, count, grad_input);
}

}  // namespace genint
