// Small CPU pieces of BigGAN-deep that are no general nn op: gen_z's (h, w, c) → NCHW reshape, the GenBlock skip
// (channel drop + nearest upsample + add, fused) and the conv shape of a stored layer. Private to gan/biggan.
#pragma once

#include <cstdint>

#include "gan/biggan/biggan_weights.h"
#include "nn/ops/conv2d.h"

namespace genint {

// Stride 1, "same" padding (kernel / 2), as every BigGAN-deep convolution.
Conv2dShape biggan_conv_shape(const BigGanConvWeights& conv, int batch, int resolution);

// features [batch, size, size, channels] → output [batch, channels, size, size].
void biggan_features_to_nchw(const float* features, int batch, int channels, int size, float* output);

// output[b, c, y, x] += skip[b, c, y / factor, x / factor] for c < output_channels: the reference's
// x0[:, :in // 2] then F.interpolate(scale_factor=2, mode='nearest'), then x + x0. skip has skip_channels.
struct SkipShape {
  int batch = 0, skip_channels = 0, output_channels = 0, skip_resolution = 0, factor = 1;
};
void biggan_add_skip(const float* skip, const SkipShape& shape, float* output);

// activations[i] += gamma · attention_out[i] (SelfAttn's x + gamma·o).
void biggan_add_scaled(const float* attention_out, float gamma, std::int64_t count, float* activations);

}  // namespace genint
