// ReLU's dispatch point: the CPU loop or the CUDA kernel on the target's stream.
#include "nn/ops/relu.h"

#include "nn/core/cuda_backend.h"

namespace genint {

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
