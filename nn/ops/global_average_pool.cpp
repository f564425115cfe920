// Global average pooling's dispatch point: the CPU loops or the CUDA kernels on the target's stream.
#include "nn/ops/global_average_pool.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void global_average_pool_forward(const OpTarget& target, const float* input, std::int64_t planes, int spatial,
                                 float* output) {
  if (target.on_cpu()) return global_average_pool_forward_cpu(input, planes, spatial, output);
  GENINT_CUDA_CALL(global_average_pool_forward_cuda, input, planes, spatial, output, target.stream);
}

void global_average_pool_backward(const OpTarget& target, const float* grad_output, std::int64_t planes, int spatial,
                                  float* grad_input) {
  if (target.on_cpu()) return global_average_pool_backward_cpu(grad_output, planes, spatial, grad_input);
  GENINT_CUDA_CALL(global_average_pool_backward_cuda, grad_output, planes, spatial, grad_input, target.stream);
}

}  // namespace genint
