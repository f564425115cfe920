// CPU twin of the residual add and its backward (a copy of the gradient to each operand).
// It is the truth the CUDA kernels are compared against.
#include <algorithm>

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

}  // namespace genint
