// The residual add's dispatch point: the CPU loops or the CUDA kernels on the target's stream.
#include "nn/ops/residual_add.h"

#include "nn/core/cuda_backend.h"

namespace genint {

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
