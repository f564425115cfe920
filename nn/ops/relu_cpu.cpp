// CPU twin of ReLU: one pass over the flat array, split across OpenMP threads. It is the truth the CUDA kernels
// are compared against; the dispatch points at the end run it or them by OpTarget.
#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/relu.h"

namespace genint {

void relu_forward_cpu(const float* input, std::int64_t count, float* output) {
  GENINT_CHECK(count >= 0, "relu_forward: negative count");
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) {
    const float value = input[index];
    output[index] = value < 0.0f ? 0.0f : value;  // NaN compares false and passes through, as torch
  }
}

void relu_backward_cpu(const float* grad_output, const float* output, std::int64_t count, float* grad_input) {
  GENINT_CHECK(count >= 0, "relu_backward: negative count");
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) {
    // Read unconditionally: a select, not a branch, so the loop vectorises (grad_input may alias grad_output).
    const float gradient = grad_output[index];
    grad_input[index] = output[index] > 0.0f ? gradient : 0.0f;
  }
}

void relu_forward(const OpTarget& target, const float* input, std::int64_t count, float* output) {
  if (target.on_cpu()) return relu_forward_cpu(input, count, output);
  GENINT_CUDA_CALL(relu_forward_cuda, input, count, output, target.stream);
}

void relu_backward(const OpTarget& target, const float* grad_output, const float* output, std::int64_t count,
                   float* grad_input) {
  if (target.on_cpu()) return relu_backward_cpu(grad_output, output, count, grad_input);
  GENINT_CUDA_CALL(relu_backward_cuda, grad_output, output, count, grad_input, target.stream);
}

}  // namespace genint
