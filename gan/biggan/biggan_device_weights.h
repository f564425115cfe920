// BigGAN-deep's weights where its forward runs: on the CPU, tensors viewing the host vectors; on CUDA, copies
// uploaded once (conv weights converted to bf16 once when the forward runs in bf16). Private to gan/biggan.
#pragma once

#include <cstdint>
#include <vector>

#include "gan/biggan/biggan_weights.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/op_target.h"
#include "nn/tensor/tensor.h"

namespace genint {

struct BigGanDeviceConv {
  Conv2dShape shape;  // stride 1, "same" padding; batch and resolution are set per call
  Tensor weight;      // [out, in, k, k]: float32, or bfloat16 in bf16 mode
  Tensor bias;        // [out] float32, undefined when the layer has none
};

struct BigGanDeviceNorm {
  int channels = 0;
  Tensor scale, offset;                // conditional: [channels, condition_dim]
  Tensor weight, bias;                 // unconditional: [channels]
  std::int64_t statistics_offset = 0;  // where its channels start in the interpolated statistics buffers
};

struct BigGanDeviceBlock {
  BigGanDeviceNorm norms[4];
  BigGanDeviceConv convs[4];
};

struct BigGanDeviceWeights {
  Tensor gen_z_weight, gen_z_bias;
  std::vector<BigGanDeviceBlock> blocks;
  BigGanDeviceConv theta, phi, g, o;  // attention; undefined without it
  BigGanDeviceNorm final_norm;
  BigGanDeviceConv to_rgb;
  std::int64_t statistics_channels = 0;  // all norms' channels: the size of each interpolated statistics buffer
};

// Calls visit(norm) for every batch norm in the order of the interpolated statistics buffers: each block's four,
// then the final one.
template <typename Visit>
void for_each_biggan_norm(const BigGanWeights& weights, Visit&& visit) {
  for (const BigGanBlockWeights& block : weights.blocks)
    for (const BigGanNormWeights& norm : block.norms) visit(norm);
  visit(weights.final_norm);
}

// CPU tensors view the vectors of `weights`, whose buffers must outlive the result.
BigGanDeviceWeights place_biggan_weights(const BigGanWeights& weights, const OpTarget& target, bool bf16_convs);

// Stride 1, "same" padding (kernel / 2), as every BigGAN-deep convolution, at this batch and resolution.
Conv2dShape biggan_conv_shape(const BigGanDeviceConv& conv, int batch, int resolution);

}  // namespace genint
