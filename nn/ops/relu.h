// ReLU forward and backward over a flat float array; both may run in place.
// The backward reads the forward's OUTPUT (as torch's threshold_backward does), so an in-place forward works.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output[i] = max(input[i], 0); output may alias input. NaN stays NaN, as in torch.
void relu_forward_cpu(const float* input, std::int64_t count, float* output);
// grad_input[i] = output[i] > 0 ? grad_output[i] : 0; grad_input may alias grad_output.
void relu_backward_cpu(const float* grad_output, const float* output, std::int64_t count, float* grad_input);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void relu_forward_cuda(const float* input, std::int64_t count, float* output, void* stream);
void relu_backward_cuda(const float* grad_output, const float* output, std::int64_t count, float* grad_input,
                        void* stream);

// Dispatch point: the CPU function, or its CUDA twin on target.stream.
void relu_forward(const OpTarget& target, const float* input, std::int64_t count, float* output);
void relu_backward(const OpTarget& target, const float* grad_output, const float* output, std::int64_t count,
                   float* grad_input);

}  // namespace genint
