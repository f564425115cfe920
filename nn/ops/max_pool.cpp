// Max pooling's dispatch point: the CPU loops or the CUDA kernels on the target's stream.
#include "nn/ops/max_pool.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void max_pool_forward(const OpTarget& target, const float* input, const MaxPoolShape& shape, float* output,
                      std::int32_t* argmax) {
  if (target.on_cpu()) return max_pool_forward_cpu(input, shape, output, argmax);
  GENINT_CUDA_CALL(max_pool_forward_cuda, input, shape, output, argmax, target.stream);
}

void max_pool_backward(const OpTarget& target, const float* grad_output, const std::int32_t* argmax,
                       const MaxPoolShape& shape, float* grad_input) {
  if (target.on_cpu()) return max_pool_backward_cpu(grad_output, argmax, shape, grad_input);
  GENINT_CUDA_CALL(max_pool_backward_cuda, grad_output, argmax, shape, grad_input, target.stream);
}

}  // namespace genint
