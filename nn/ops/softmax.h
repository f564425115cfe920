// Softmax over the last dimension of a rows × columns matrix (BigGAN self-attention's F.softmax(…, -1)),
// taken about the row maximum so large scores do not overflow.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output may alias input.
void softmax_forward_cpu(const float* input, std::int64_t rows, int columns, float* output);
// CUDA twin on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream); one block per row.
void softmax_forward_cuda(const float* input, std::int64_t rows, int columns, float* output, void* stream);

// Dispatch point: the CPU function, or its CUDA twin on target.stream.
void softmax_forward(const OpTarget& target, const float* input, std::int64_t rows, int columns, float* output);

}  // namespace genint
