// CPU twin of the residual add and its backward (a copy of the gradient to each operand).
// The truth the CUDA kernels are compared against; the dispatch points at the end run it or them by OpTarget.
#include <algorithm>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/residual_add.h"

namespace genint {

void residual_add_forward_cpu(const float* first, const float* second, std::int64_t count, float* output) {
  GENINT_CHECK(count >= 0, "residual_add_forward: negative count");
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) output[index] = first[index] + second[index];
}

void residual_add_backward_cpu(const float* grad_output, std::int64_t count, float* grad_first, float* grad_second) {
  GENINT_CHECK(count >= 0, "residual_add_backward: negative count");
  if (grad_first != nullptr && grad_first != grad_output) std::copy_n(grad_output, count, grad_first);
  if (grad_second != nullptr && grad_second != grad_output) std::copy_n(grad_output, count, grad_second);
}

void residual_add_forward(const OpTarget& target, const float* first, const float* second, std::int64_t count,
                          float* output) {
  if (target.on_cpu()) return residual_add_forward_cpu(first, second, count, output);
  GENINT_CUDA_CALL(residual_add_forward_cuda, first, second, count, output, target.stream);
}

void residual_add_backward(const OpTarget& target, const float* grad_output, std::int64_t count, float* grad_first,
                           float* grad_second) {
  if (target.on_cpu()) return residual_add_backward_cpu(grad_output, count, grad_first, grad_second);
  GENINT_CUDA_CALL(residual_add_backward_cuda, grad_output, count, grad_first, grad_second, target.stream);
}

}  // namespace genint
