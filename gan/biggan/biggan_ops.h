// BigGAN-deep's own small ops, no general nn op: gen_z's (h, w, c) → NCHW reshape, the GenBlock skip (channel
// drop + nearest upsample + add, fused) and SelfAttn's residual x + γ·o. CPU functions, CUDA twins, dispatch points.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// features [batch, size, size, channels] → output [batch, channels, size, size].
void biggan_features_to_nchw_cpu(const float* features, int batch, int channels, int size, float* output);
void biggan_features_to_nchw_cuda(const float* features, int batch, int channels, int size, float* output,
                                  void* stream);
void biggan_features_to_nchw(const OpTarget& target, const float* features, int batch, int channels, int size,
                             float* output);

// output[b, c, y, x] += skip[b, c, y / factor, x / factor] for c < output_channels: the reference's
// x0[:, :in // 2] then F.interpolate(scale_factor=2, mode='nearest'), then x + x0. skip has skip_channels.
struct SkipShape {
  int batch = 0, skip_channels = 0, output_channels = 0, skip_resolution = 0, factor = 1;
};
void biggan_add_skip_cpu(const float* skip, const SkipShape& shape, float* output);
void biggan_add_skip_cuda(const float* skip, const SkipShape& shape, float* output, void* stream);
void biggan_add_skip(const OpTarget& target, const float* skip, const SkipShape& shape, float* output);

// activations[i] += gamma · attention_out[i] (SelfAttn's x + gamma·o), multiply then add, never fused.
void biggan_add_scaled_cpu(const float* attention_out, float gamma, std::int64_t count, float* activations);
void biggan_add_scaled_cuda(const float* attention_out, float gamma, std::int64_t count, float* activations,
                            void* stream);
void biggan_add_scaled(const OpTarget& target, const float* attention_out, float gamma, std::int64_t count,
                       float* activations);

}  // namespace genint
