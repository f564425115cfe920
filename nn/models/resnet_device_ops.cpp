// Device dispatch for ResNet's ops: each call goes to the op's CPU function or its CUDA twin.
// No CUDA headers here: a CPU-only build links the CUDA entry points' "backend absent" versions.
#include "nn/models/resnet_device_ops.h"

#include "nn/ops/cross_entropy.h"
#include "nn/ops/global_average_pool.h"
#include "nn/ops/relu.h"
#include "nn/ops/residual_add.h"

namespace genint::resnet_detail {
namespace {
bool on_cpu(const OpTarget& target) {
  return target.device == Device::Cpu;
}
}  // namespace

void relu_forward(const OpTarget& target, const float* input, std::int64_t count, float* output) {
  if (on_cpu(target)) return relu_forward_cpu(input, count, output);
  relu_forward_cuda(input, count, output, target.stream);
}

void relu_backward(const OpTarget& target, const float* grad_output, const float* output, std::int64_t count,
                   float* grad_input) {
  if (on_cpu(target)) return relu_backward_cpu(grad_output, output, count, grad_input);
  relu_backward_cuda(grad_output, output, count, grad_input, target.stream);
}

void add(const OpTarget& target, const float* first, const float* second, std::int64_t count, float* output) {
  if (on_cpu(target)) return residual_add_forward_cpu(first, second, count, output);
  residual_add_forward_cuda(first, second, count, output, target.stream);
}

void copy(const OpTarget& target, const float* source, std::int64_t count, float* destination) {
  // The backward of a residual add copies its gradient to an operand: exactly a copy, queued on the stream.
  if (on_cpu(target)) return residual_add_backward_cpu(source, count, destination, nullptr);
  residual_add_backward_cuda(source, count, destination, nullptr, target.stream);
}

void batch_norm_train(const OpTarget& target, const float* input, const BatchNormShape& shape, const float* gamma,
                      const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                      float* output, float* saved_mean, float* saved_inverse_std) {
  if (on_cpu(target))
    return batch_norm_forward_train_cpu(input, shape, gamma, beta, eps, momentum, running_mean, running_var, output,
                                        saved_mean, saved_inverse_std);
  batch_norm_forward_train_cuda(input, shape, gamma, beta, eps, momentum, running_mean, running_var, output, saved_mean,
                                saved_inverse_std, target.stream);
}

void batch_norm_eval(const OpTarget& target, const float* input, const BatchNormShape& shape, const float* gamma,
                     const float* beta, const float* running_mean, const float* running_var, float eps, float* output) {
  if (on_cpu(target))
    return batch_norm_forward_eval_cpu(input, shape, gamma, beta, running_mean, running_var, eps, output);
  batch_norm_forward_eval_cuda(input, shape, gamma, beta, running_mean, running_var, eps, output, target.stream);
}

void batch_norm_backward(const OpTarget& target, const float* grad_output, const float* input,
                         const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                         const float* saved_inverse_std, float* grad_input, float* grad_gamma, float* grad_beta) {
  if (on_cpu(target))
    return batch_norm_backward_cpu(grad_output, input, shape, gamma, saved_mean, saved_inverse_std, grad_input,
                                   grad_gamma, grad_beta);
  batch_norm_backward_cuda(grad_output, input, shape, gamma, saved_mean, saved_inverse_std, grad_input, grad_gamma,
                           grad_beta, target.stream);
}

void max_pool_forward(const OpTarget& target, const float* input, const MaxPoolShape& shape, float* output,
                      std::int32_t* argmax) {
  if (on_cpu(target)) return max_pool_forward_cpu(input, shape, output, argmax);
  max_pool_forward_cuda(input, shape, output, argmax, target.stream);
}

void max_pool_backward(const OpTarget& target, const float* grad_output, const std::int32_t* argmax,
                       const MaxPoolShape& shape, float* grad_input) {
  if (on_cpu(target)) return max_pool_backward_cpu(grad_output, argmax, shape, grad_input);
  max_pool_backward_cuda(grad_output, argmax, shape, grad_input, target.stream);
}

void global_average_pool_forward(const OpTarget& target, const float* input, std::int64_t planes, int spatial,
                                 float* output) {
  if (on_cpu(target)) return global_average_pool_forward_cpu(input, planes, spatial, output);
  global_average_pool_forward_cuda(input, planes, spatial, output, target.stream);
}

void global_average_pool_backward(const OpTarget& target, const float* grad_output, std::int64_t planes, int spatial,
                                  float* grad_input) {
  if (on_cpu(target)) return global_average_pool_backward_cpu(grad_output, planes, spatial, grad_input);
  global_average_pool_backward_cuda(grad_output, planes, spatial, grad_input, target.stream);
}

void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss) {
  if (on_cpu(target)) return cross_entropy_forward_cpu(logits, labels, weights, batch, classes, sample_losses, loss);
  cross_entropy_forward_cuda(logits, labels, weights, batch, classes, sample_losses, loss, target.stream);
}

void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits) {
  if (on_cpu(target)) return cross_entropy_backward_cpu(logits, labels, weights, batch, classes, grad_logits);
  cross_entropy_backward_cuda(logits, labels, weights, batch, classes, grad_logits, target.stream);
}

}  // namespace genint::resnet_detail
