// Batch normalisation over NCHW activations (llm.c style: raw float pointers, explicit shapes), as torch's
// BatchNorm2d: training forward with batch statistics, eval forward with running statistics, training backward.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// Shape of an NCHW activation seen by batch norm: spatial = height × width.
struct BatchNormShape {
  int batch = 0;
  int channels = 0;
  int spatial = 0;
  std::int64_t values_per_channel() const { return static_cast<std::int64_t>(batch) * spatial; }
  std::int64_t element_count() const { return values_per_channel() * channels; }
};

// Training forward: normalises with the biased batch variance, then updates running_mean/running_var in place
// as torch does: running = (1 − momentum)·running + momentum·batch_statistic, the variance term UNBIASED
// (× n/(n−1), n = batch·spatial; n must exceed 1). saved_mean and saved_inverse_std (channels each) receive
// the batch mean and 1/sqrt(biased_var + eps) for the backward pass. output may alias input. `relu`: a ReLU is
// applied to the output in the same pass (relu_forward_cpu's values).
void batch_norm_forward_train_cpu(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                                  float* output, float* saved_mean, float* saved_inverse_std, bool relu = false);
// Eval forward: (x − running_mean)/sqrt(running_var + eps)·gamma + beta, then a ReLU when `relu`. output may
// alias input.
void batch_norm_forward_eval_cpu(const float* input, const BatchNormShape& shape, const float* gamma, const float* beta,
                                 const float* running_mean, const float* running_var, float eps, float* output,
                                 bool relu = false);
// Training backward from the saved statistics. grad_input, grad_gamma and grad_beta are overwritten (not
// accumulated); grad_input may alias grad_output.
void batch_norm_backward_cpu(const float* grad_output, const float* input, const BatchNormShape& shape,
                             const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                             float* grad_input, float* grad_gamma, float* grad_beta);
// The backward of batch norm followed by a ReLU, in one pass: as relu_backward_cpu(grad_output, relu_output) into
// a temporary and batch_norm_backward_cpu from it, without the temporary. relu_output is the ReLU's output (the
// forward's); grad_input may alias grad_output.
void batch_norm_relu_backward_cpu(const float* grad_output, const float* relu_output, const float* input,
                                  const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                                  const float* saved_inverse_std, float* grad_input, float* grad_gamma,
                                  float* grad_beta);

// The activation batch norm normalises: float32, or bfloat16 bit patterns (a bf16 model's conv output, read without
// a conversion pass; CUDA only). Converts implicitly from either pointer type.
struct BatchNormInput {
  BatchNormInput(const float* values) : data(values) {}
  BatchNormInput(const std::uint16_t* values) : data(values), bfloat16(true) {}
  const void* data = nullptr;
  bool bfloat16 = false;
};

// The same three on CUDA device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
// The training forward and the backward reduce each channel over several blocks (a fixed partition of the
// channel's values, so the sums run in one order: deterministic, on any GPU) through `workspace`, device memory
// of batch_norm_workspace_bytes(shape) bytes.
std::size_t batch_norm_cuda_workspace_bytes(const BatchNormShape& shape);
void batch_norm_forward_train_cuda(BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                                   const float* beta, float eps, float momentum, float* running_mean,
                                   float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                                   void* workspace, void* stream);
void batch_norm_forward_eval_cuda(BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, const float* running_mean, const float* running_var, float eps,
                                  float* output, void* stream);
void batch_norm_backward_cuda(const float* grad_output, BatchNormInput input, const BatchNormShape& shape,
                              const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                              float* grad_input, float* grad_gamma, float* grad_beta, void* workspace, void* stream);

// Dispatch point: the CPU functions (float32 input) or their CUDA twins on target.stream. `workspace` holds
// batch_norm_workspace_bytes(target, shape) bytes on the target (none on the CPU: it may be null there).
std::size_t batch_norm_workspace_bytes(const OpTarget& target, const BatchNormShape& shape);
void batch_norm_forward_train(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                              const float* gamma, const float* beta, float eps, float momentum, float* running_mean,
                              float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                              void* workspace, bool relu = false);
void batch_norm_forward_eval(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                             const float* gamma, const float* beta, const float* running_mean, const float* running_var,
                             float eps, float* output, bool relu = false);
void batch_norm_backward(const OpTarget& target, const float* grad_output, BatchNormInput input,
                         const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                         const float* saved_inverse_std, float* grad_input, float* grad_gamma, float* grad_beta,
                         void* workspace);
// batch norm followed by a ReLU (relu_output: the ReLU's output): fused on the CPU; on CUDA the ReLU backward into
// grad_input, then the batch-norm backward in place.
void batch_norm_relu_backward(const OpTarget& target, const float* grad_output, const float* relu_output,
                              BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                              const float* saved_mean, const float* saved_inverse_std, float* grad_input,
                              float* grad_gamma, float* grad_beta, void* workspace);

// Throws genint::Error naming the op and the bad field unless every dimension is positive.
void check_batch_norm_shape(const char* op, const BatchNormShape& shape);

}  // namespace genint
