// Nearest-neighbour upsampling of NCHW planes by an integer factor (BigGAN's F.interpolate(scale_factor=2)):
// out[p, y, x] = in[p, y / factor, x / factor], planes = batch × channels.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// output: planes × (height·factor) × (width·factor). Values are only copied, so float32 and bfloat16 (its bit
// patterns) are moved alike.
void upsample_nearest_forward_cpu(const float* input, std::int64_t planes, int height, int width, int factor,
                                  float* output);
void upsample_nearest_forward_cpu(const std::uint16_t* input, std::int64_t planes, int height, int width, int factor,
                                  std::uint16_t* output);
// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void upsample_nearest_forward_cuda(const float* input, std::int64_t planes, int height, int width, int factor,
                                   float* output, void* stream);
void upsample_nearest_forward_cuda(const std::uint16_t* input, std::int64_t planes, int height, int width, int factor,
                                   std::uint16_t* output, void* stream);

void check_upsample_shape(std::int64_t planes, int height, int width, int factor);

// Dispatch point: the CPU copy or the CUDA kernel on the target's stream.
void upsample_nearest_forward(const OpTarget& target, const float* input, std::int64_t planes, int height, int width,
                              int factor, float* output);
void upsample_nearest_forward(const OpTarget& target, const std::uint16_t* input, std::int64_t planes, int height,
                              int width, int factor, std::uint16_t* output);

}  // namespace genint
