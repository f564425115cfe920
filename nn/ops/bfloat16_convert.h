// float32 ↔ bfloat16 conversion over flat arrays: round-to-nearest-even down (as torch's .to(torch.bfloat16)),
// exact back up. bfloat16 values are their 16-bit patterns (std::uint16_t) so no CUDA type leaks into headers.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output[i] = bfloat16(input[i]), rounded to nearest, ties to even; any NaN becomes the canonical NaN 0x7fff.
void float_to_bfloat16_cpu(const float* input, std::int64_t count, std::uint16_t* output);
// output[i] = float(input[i]): exact (bfloat16 is float32's upper half).
void bfloat16_to_float_cpu(const std::uint16_t* input, std::int64_t count, float* output);
// values[i] = float(bfloat16(values[i])): what a bf16 tensor holds, kept in float storage (the CPU twins of the
// bf16 CUDA paths compute on these).
void round_to_bfloat16_cpu(float* values, std::int64_t count);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream). Bit-identical
// to the CPU functions (the same rounding rule).
void float_to_bfloat16_cuda(const float* input, std::int64_t count, std::uint16_t* output, void* stream);
void bfloat16_to_float_cuda(const std::uint16_t* input, std::int64_t count, float* output, void* stream);

// Dispatch point: the CPU functions, or their CUDA twins on target.stream.
void float_to_bfloat16(const OpTarget& target, const float* input, std::int64_t count, std::uint16_t* output);
void bfloat16_to_float(const OpTarget& target, const std::uint16_t* input, std::int64_t count, float* output);

}  // namespace genint
