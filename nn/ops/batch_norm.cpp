// Batch norm's dispatch point: the CPU functions (float32 input) or the CUDA kernels on the target's stream.
#include "nn/ops/batch_norm.h"

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/relu.h"

namespace genint {
namespace {

// bfloat16 activations are a CUDA storage mode; the CPU twin keeps their values in float32.
const float* cpu_input(BatchNormInput input) {
  GENINT_CHECK(!input.bfloat16, "batch_norm: bfloat16 input runs on CUDA only (the CPU twin keeps float32 storage)");
  return static_cast<const float*>(input.data);
}

}  // namespace

std::size_t batch_norm_workspace_bytes(const OpTarget& target, const BatchNormShape& shape) {
  if (target.on_cpu()) return 0;
  return GENINT_CUDA_CALL(batch_norm_cuda_workspace_bytes, shape);
}

void batch_norm_forward_train(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                              const float* gamma, const float* beta, float eps, float momentum, float* running_mean,
                              float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                              void* workspace, bool relu) {
  if (target.on_cpu())
    return batch_norm_forward_train_cpu(cpu_input(input), shape, gamma, beta, eps, momentum, running_mean, running_var,
                                        output, saved_mean, saved_inverse_std, relu);
  GENINT_CUDA_CALL(batch_norm_forward_train_cuda, input, shape, gamma, beta, eps, momentum, running_mean, running_var,
                   output, saved_mean, saved_inverse_std, workspace, target.stream);
  if (relu)
    relu_forward(target, output, static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial, output);
}

void batch_norm_forward_eval(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                             const float* gamma, const float* beta, const float* running_mean, const float* running_var,
                             float eps, float* output, bool relu) {
  if (target.on_cpu())
    return batch_norm_forward_eval_cpu(cpu_input(input), shape, gamma, beta, running_mean, running_var, eps, output,
                                       relu);
  GENINT_CUDA_CALL(batch_norm_forward_eval_cuda, input, shape, gamma, beta, running_mean, running_var, eps, output,
                   target.stream);
  if (relu)
    relu_forward(target, output, static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial, output);
}

void batch_norm_backward(const OpTarget& target, const float* grad_output, BatchNormInput input,
                         const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                         const float* saved_inverse_std, float* grad_input, float* grad_gamma, float* grad_beta,
                         void* workspace) {
  if (target.on_cpu())
    return batch_norm_backward_cpu(grad_output, cpu_input(input), shape, gamma, saved_mean, saved_inverse_std,
                                   grad_input, grad_gamma, grad_beta);
  GENINT_CUDA_CALL(batch_norm_backward_cuda, grad_output, input, shape, gamma, saved_mean, saved_inverse_std,
                   grad_input, grad_gamma, grad_beta, workspace, target.stream);
}

void batch_norm_relu_backward(const OpTarget& target, const float* grad_output, const float* relu_output,
                              BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                              const float* saved_mean, const float* saved_inverse_std, float* grad_input,
                              float* grad_gamma, float* grad_beta, void* workspace) {
  if (target.on_cpu())
    return batch_norm_relu_backward_cpu(grad_output, relu_output, cpu_input(input), shape, gamma, saved_mean,
                                        saved_inverse_std, grad_input, grad_gamma, grad_beta);
  relu_backward(target, grad_output, relu_output,
                static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial, grad_input);
  batch_norm_backward(target, grad_input, input, shape, gamma, saved_mean, saved_inverse_std, grad_input, grad_gamma,
                      grad_beta, workspace);
}

}  // namespace genint
