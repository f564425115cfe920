// Hyperbolic tangent over a flat float array: the generator's last activation, mapping to [−1, 1].
// Forward only (the generator is never trained here).
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output may alias input.
void tanh_forward_cpu(const float* input, std::int64_t count, float* output);
// CUDA twin on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void tanh_forward_cuda(const float* input, std::int64_t count, float* output, void* stream);

// Dispatch point: the CPU function, or its CUDA twin on target.stream.
void tanh_forward(const OpTarget& target, const float* input, std::int64_t count, float* output);

}  // namespace genint
