// BigGAN-deep's layers on the CPU: conditional batch norm + ReLU, GenBlock, SelfAttn and the output head,
// composed from nn ops (conv2d, linear, batch norms, relu, upsample, max pool, softmax, tanh) and gemm.
#include <cstdint>
#include <string>
#include <utility>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_layers.h"
#include "nn/core/error.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/gemm.h"
#include "nn/ops/linear.h"
#include "nn/ops/max_pool.h"
#include "nn/ops/relu.h"
#include "nn/ops/softmax.h"
#include "nn/ops/tanh.h"
#include "nn/ops/upsample.h"

namespace genint {

Conv2dShape biggan_conv_shape(const BigGanConvWeights& conv, int batch, int resolution) {
  Conv2dShape shape;
  shape.batch = batch;
  shape.in_channels = conv.in_channels;
  shape.in_height = shape.in_width = resolution;
  shape.out_channels = conv.out_channels;
  shape.kernel_height = shape.kernel_width = conv.kernel;
  shape.pad_height = shape.pad_width = conv.kernel / 2;
  return shape;
}

void biggan_features_to_nchw(const float* features, int batch, int channels, int size, float* output) {
  const std::int64_t plane = static_cast<std::int64_t>(size) * size;
  for (std::int64_t image = 0; image < batch; ++image) {
    const float* source = features + image * plane * channels;
    float* destination = output + image * plane * channels;
    for (std::int64_t position = 0; position < plane; ++position) {
      for (std::int64_t channel = 0; channel < channels; ++channel) {
        destination[channel * plane + position] = source[position * channels + channel];
      }
    }
  }
}

void biggan_add_skip(const float* skip, const SkipShape& shape, float* output) {
  const int out_resolution = shape.skip_resolution * shape.factor;
  const std::int64_t skip_plane = static_cast<std::int64_t>(shape.skip_resolution) * shape.skip_resolution;
  const std::int64_t out_plane = static_cast<std::int64_t>(out_resolution) * out_resolution;
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.output_channels;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const std::int64_t image = plane / shape.output_channels, channel = plane % shape.output_channels;
    const float* source = skip + (image * shape.skip_channels + channel) * skip_plane;
    float* destination = output + plane * out_plane;
    for (int row = 0; row < out_resolution; ++row) {
      const float* source_row = source + static_cast<std::int64_t>(row / shape.factor) * shape.skip_resolution;
      float* destination_row = destination + static_cast<std::int64_t>(row) * out_resolution;
      for (int column = 0; column < out_resolution; ++column)
        destination_row[column] += source_row[column / shape.factor];
    }
  }
}

void biggan_add_scaled(const float* attention_out, float gamma, std::int64_t count, float* activations) {
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index)
    activations[index] = activations[index] + gamma * attention_out[index];
}

void BigGanGenerator::conv(const BigGanConvWeights& weights, int batch, int resolution, const float* input,
                           float* output) {
  conv2d_forward_cpu(biggan_conv_shape(weights, batch, resolution), input, weights.weight.data(),
                     weights.bias.empty() ? nullptr : weights.bias.data(), output, workspace_.conv_workspace.data(),
                     workspace_.conv_workspace.size());
}

void BigGanGenerator::conditional_norm_relu(const BigGanNormWeights& norm, int batch, int spatial,
                                            const float* condition, const TruncationStatistics& statistics,
                                            const float* input, float* output) {
  LinearShape shape;
  shape.rows = batch;
  shape.in_features = weights_.config.condition_dim();
  shape.out_features = norm.channels;
  float* gain = workspace_.gain.data();
  linear_forward_cpu(shape, condition, norm.scale.data(), nullptr, gain);
  const std::int64_t per_sample = static_cast<std::int64_t>(batch) * norm.channels;
  for (std::int64_t index = 0; index < per_sample; ++index) gain[index] = 1.0f + gain[index];  // 1 + scale(cond)
  linear_forward_cpu(shape, condition, norm.offset.data(), nullptr, workspace_.bias.data());
  interpolate_statistics(statistics, norm.running_means.data(), norm.channels, workspace_.mean.data());
  interpolate_statistics(statistics, norm.running_vars.data(), norm.channels, workspace_.var.data());
  const ConditionalBatchNormShape norm_shape{batch, norm.channels, spatial};
  conditional_batch_norm_forward_cpu(input, norm_shape, workspace_.mean.data(), workspace_.var.data(), gain,
                                     workspace_.bias.data(), weights_.config.eps, output);
  relu_forward_cpu(output, per_sample * spatial, output);
}

// bn_0 → relu → conv_0 → bn_1 → relu → [up] → conv_1 → bn_2 → relu → conv_2 → bn_3 → relu → conv_3, + skip.
// `current` holds the input and, on return, the output; `spare` is the other main buffer.
void BigGanGenerator::run_block(int block, int batch, const float* condition, const TruncationStatistics& statistics,
                                float*& current, float*& spare) {
  const BigGanConfig& config = weights_.config;
  const BigGanBlockWeights& weights = weights_.blocks[static_cast<std::size_t>(block)];
  const int in_resolution = config.block_in_resolution(block), out_resolution = config.block_out_resolution(block);
  const int in_spatial = in_resolution * in_resolution, out_spatial = out_resolution * out_resolution;
  float* inner = workspace_.inner_a.data();
  float* inner_spare = workspace_.inner_b.data();
  conditional_norm_relu(weights.norms[0], batch, in_spatial, condition, statistics, current, spare);
  conv(weights.convs[0], batch, in_resolution, spare, inner);
  conditional_norm_relu(weights.norms[1], batch, in_spatial, condition, statistics, inner, inner);
  if (config.layers[static_cast<std::size_t>(block)].up_sample) {
    upsample_nearest_forward_cpu(inner, static_cast<std::int64_t>(batch) * config.block_middle_channels(block),
                                 in_resolution, in_resolution, 2, inner_spare);
    std::swap(inner, inner_spare);
  }
  conv(weights.convs[1], batch, out_resolution, inner, inner_spare);
  conditional_norm_relu(weights.norms[2], batch, out_spatial, condition, statistics, inner_spare, inner_spare);
  conv(weights.convs[2], batch, out_resolution, inner_spare, inner);
  conditional_norm_relu(weights.norms[3], batch, out_spatial, condition, statistics, inner, inner);
  conv(weights.convs[3], batch, out_resolution, inner, spare);
  SkipShape skip;
  skip.batch = batch;
  skip.skip_channels = config.block_in_channels(block);
  skip.output_channels = config.block_out_channels(block);
  skip.skip_resolution = in_resolution;
  skip.factor = out_resolution / in_resolution;
  biggan_add_skip(current, skip, spare);
  std::swap(current, spare);
}

// theta = 1x1(x); phi = pool(1x1(x)); attention = softmax(thetaᵀ phi) per position; g = pool(1x1(x));
// x += gamma · o_conv(g attentionᵀ).
void BigGanGenerator::run_attention(int batch, float* activations) {
  const BigGanConfig& config = weights_.config;
  const BigGanAttentionWeights& weights = weights_.attention;
  Workspace& space = workspace_;
  const int channels = config.attention_channels(), resolution = config.attention_resolution();
  const int positions = resolution * resolution, pooled = positions / 4;
  const int key_channels = channels / 8, value_channels = channels / 2;
  conv(weights.theta, batch, resolution, activations, space.theta.data());
  conv(weights.phi, batch, resolution, activations, space.phi_full.data());
  conv(weights.g, batch, resolution, activations, space.g_full.data());
  MaxPoolShape pool{batch, key_channels, resolution, resolution, 2, 2, 0};
  max_pool_forward_cpu(space.phi_full.data(), pool, space.phi.data(), space.pool_argmax.data());
  pool.channels = value_channels;
  max_pool_forward_cpu(space.g_full.data(), pool, space.g.data(), space.pool_argmax.data());
  for (int image = 0; image < batch; ++image) {
    const float* theta = space.theta.data() + static_cast<std::int64_t>(image) * key_channels * positions;
    const float* phi = space.phi.data() + static_cast<std::int64_t>(image) * key_channels * pooled;
    float* attention = space.attention.data() + static_cast<std::int64_t>(image) * positions * pooled;
    gemm_cpu(true, false, positions, pooled, key_channels, 1.0f, theta, positions, phi, pooled, 0.0f, attention,
             pooled);
  }
  softmax_forward_cpu(space.attention.data(), static_cast<std::int64_t>(batch) * positions, pooled,
                      space.attention.data());
  for (int image = 0; image < batch; ++image) {
    const float* g = space.g.data() + static_cast<std::int64_t>(image) * value_channels * pooled;
    const float* attention = space.attention.data() + static_cast<std::int64_t>(image) * positions * pooled;
    float* attention_g = space.attention_g.data() + static_cast<std::int64_t>(image) * value_channels * positions;
    gemm_cpu(false, true, value_channels, positions, pooled, 1.0f, g, pooled, attention, pooled, 0.0f, attention_g,
             positions);
  }
  conv(weights.o, batch, resolution, space.attention_g.data(), space.attention_out.data());
  biggan_add_scaled(space.attention_out.data(), weights.gamma, static_cast<std::int64_t>(batch) * channels * positions,
                    activations);
}

// bn (unconditional) → relu → conv_to_rgb (its 3 used outputs only) → tanh.
void BigGanGenerator::run_output(int batch, const float* activations, float* spare,
                                 const TruncationStatistics& statistics, float* images) {
  const BigGanConfig& config = weights_.config;
  const BigGanNormWeights& norm = weights_.final_norm;
  interpolate_statistics(statistics, norm.running_means.data(), norm.channels, workspace_.mean.data());
  interpolate_statistics(statistics, norm.running_vars.data(), norm.channels, workspace_.var.data());
  const int spatial = config.output_dim * config.output_dim;
  const BatchNormShape shape{batch, norm.channels, spatial};
  batch_norm_forward_eval_cpu(activations, shape, norm.weight.data(), norm.bias.data(), workspace_.mean.data(),
                              workspace_.var.data(), config.eps, spare);
  relu_forward_cpu(spare, static_cast<std::int64_t>(batch) * norm.channels * spatial, spare);
  conv(weights_.to_rgb, batch, config.output_dim, spare, images);
  tanh_forward_cpu(images, static_cast<std::int64_t>(batch) * 3 * spatial, images);
}

}  // namespace genint
