// CPU twin of ReLU: one pass over the flat array, split across OpenMP threads.
// It is the truth the CUDA kernels are compared against.
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

}  // namespace genint
