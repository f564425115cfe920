// Nearest-neighbour upsampling of NCHW planes by an integer factor (BigGAN's F.interpolate(scale_factor=2)):
// out[p, y, x] = in[p, y / factor, x / factor], planes = batch × channels.
#pragma once

#include <cstdint>

namespace genint {

// output: planes × (height·factor) × (width·factor).
void upsample_nearest_forward_cpu(const float* input, std::int64_t planes, int height, int width, int factor,
                                  float* output);
// CUDA twin on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void upsample_nearest_forward_cuda(const float* input, std::int64_t planes, int height, int width, int factor,
                                   float* output, void* stream);

void check_upsample_shape(std::int64_t planes, int height, int width, int factor);

}  // namespace genint
