// Global average pooling of NCHW activations to N×C (ResNet's head), and its backward broadcast.
// Shapes are explicit: planes = batch × channels, spatial = height × width.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output[p] = mean of input[p·spatial … p·spatial + spatial − 1], for p < planes.
void global_average_pool_forward_cpu(const float* input, std::int64_t planes, int spatial, float* output);
// grad_input[p·spatial + s] = grad_output[p] / spatial (overwritten).
void global_average_pool_backward_cpu(const float* grad_output, std::int64_t planes, int spatial, float* grad_input);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void global_average_pool_forward_cuda(const float* input, std::int64_t planes, int spatial, float* output,
                                      void* stream);
void global_average_pool_backward_cuda(const float* grad_output, std::int64_t planes, int spatial, float* grad_input,
                                       void* stream);

// Dispatch point: the CPU functions, or their CUDA twins on target.stream.
void global_average_pool_forward(const OpTarget& target, const float* input, std::int64_t planes, int spatial,
                                 float* output);
void global_average_pool_backward(const OpTarget& target, const float* grad_output, std::int64_t planes, int spatial,
                                  float* grad_input);

}  // namespace genint
