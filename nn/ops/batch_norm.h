// Batch normalisation over NCHW activations (llm.c style: raw float pointers, explicit shapes), as torch's
// BatchNorm2d: training forward with batch statistics, eval forward with running statistics, training backward.
#pragma once

namespace genint {

// Shape of an NCHW activation seen by batch norm: spatial = height × width.
struct BatchNormShape {
  int batch = 0;
  int channels = 0;
  int spatial = 0;
};

// Training forward: normalises with the biased batch variance, then updates running_mean/running_var in place
// as torch does: running = (1 − momentum)·running + momentum·batch_statistic, the variance term UNBIASED
// (× n/(n−1), n = batch·spatial; n must exceed 1). saved_mean and saved_inverse_std (channels each) receive
// the batch mean and 1/sqrt(biased_var + eps) for the backward pass. output may alias input.
void batch_norm_forward_train_cpu(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                                  float* output, float* saved_mean, float* saved_inverse_std);
// Eval forward: (x − running_mean)/sqrt(running_var + eps)·gamma + beta. output may alias input.
void batch_norm_forward_eval_cpu(const float* input, const BatchNormShape& shape, const float* gamma, const float* beta,
                                 const float* running_mean, const float* running_var, float eps, float* output);
// Training backward from the saved statistics. grad_input, grad_gamma and grad_beta are overwritten (not
// accumulated); grad_input may alias grad_output.
void batch_norm_backward_cpu(const float* grad_output, const float* input, const BatchNormShape& shape,
                             const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                             float* grad_input, float* grad_gamma, float* grad_beta);

// The same three on CUDA device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
// Deterministic: one block per channel, fixed reduction order.
void batch_norm_forward_train_cuda(const float* input, const BatchNormShape& shape, const float* gamma,
                                   const float* beta, float eps, float momentum, float* running_mean,
                                   float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                                   void* stream);
void batch_norm_forward_eval_cuda(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, const float* running_mean, const float* running_var, float eps,
                                  float* output, void* stream);
void batch_norm_backward_cuda(const float* grad_output, const float* input, const BatchNormShape& shape,
                              const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                              float* grad_input, float* grad_gamma, float* grad_beta, void* stream);

// Throws genint::Error naming the op and the bad field unless every dimension is positive.
void check_batch_norm_shape(const char* op, const BatchNormShape& shape);

}  // namespace genint
