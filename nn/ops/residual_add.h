// Residual (skip-connection) add of two equally shaped float arrays, and its backward.
// The backward of a + b hands the incoming gradient to both operands unchanged.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output[i] = first[i] + second[i]; output may alias either operand (then it accumulates in place).
void residual_add_forward_cpu(const float* first, const float* second, std::int64_t count, float* output);
// grad_first and grad_second receive copies of grad_output; either may be nullptr (that operand needs no
// gradient) or alias grad_output (then nothing is copied for it).
void residual_add_backward_cpu(const float* grad_output, std::int64_t count, float* grad_first, float* grad_second);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void residual_add_forward_cuda(const float* first, const float* second, std::int64_t count, float* output,
                               void* stream);
void residual_add_backward_cuda(const float* grad_output, std::int64_t count, float* grad_first, float* grad_second,
                                void* stream);

// Dispatch point: the CPU functions, or their CUDA twins on target.stream.
void residual_add_forward(const OpTarget& target, const float* first, const float* second, std::int64_t count,
                          float* output);
void residual_add_backward(const OpTarget& target, const float* grad_output, std::int64_t count, float* grad_first,
                           float* grad_second);

}  // namespace genint
