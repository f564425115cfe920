// The element-wise and reduction ops ResNet runs, chosen by device: CPU twins or CUDA kernels on a stream.
// Internal to nn/models; raw pointers must live on `target.device` (the CUDA entry points exist in every build).
#pragma once

#include <cstdint>

#include "nn/core/device.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/max_pool.h"

namespace genint::resnet_detail {

// Where an op runs: the device and, for CUDA, the cudaStream_t (nullptr = default stream).
struct OpTarget {
  Device device = Device::Cpu;
  void* stream = nullptr;
};

void relu_forward(const OpTarget& target, const float* input, std::int64_t count, float* output);
void relu_backward(const OpTarget& target, const float* grad_output, const float* output, std::int64_t count,
                   float* grad_input);
// output = first + second (output may alias either).
void add(const OpTarget& target, const float* first, const float* second, std::int64_t count, float* output);
void copy(const OpTarget& target, const float* source, std::int64_t count, float* destination);

void batch_norm_train(const OpTarget& target, const float* input, const BatchNormShape& shape, const float* gamma,
                      const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                      float* output, float* saved_mean, float* saved_inverse_std);
void batch_norm_eval(const OpTarget& target, const float* input, const BatchNormShape& shape, const float* gamma,
                     const float* beta, const float* running_mean, const float* running_var, float eps, float* output);
void batch_norm_backward(const OpTarget& target, const float* grad_output, const float* input,
                         const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                         const float* saved_inverse_std, float* grad_input, float* grad_gamma, float* grad_beta);

void max_pool_forward(const OpTarget& target, const float* input, const MaxPoolShape& shape, float* output,
                      std::int32_t* argmax);
void max_pool_backward(const OpTarget& target, const float* grad_output, const std::int32_t* argmax,
                       const MaxPoolShape& shape, float* grad_input);

void global_average_pool_forward(const OpTarget& target, const float* input, std::int64_t planes, int spatial,
                                 float* output);
void global_average_pool_backward(const OpTarget& target, const float* grad_output, std::int64_t planes, int spatial,
                                  float* grad_input);

// labels and weights on the target device; *loss is one float there.
void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss);
void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits);

}  // namespace genint::resnet_detail
