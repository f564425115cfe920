// BigGAN-deep's layers on CUDA, step for step as biggan_layers_cpu.cpp: conditional batch norm + ReLU,
// GenBlock, SelfAttn (cuBLAS strided batched GEMMs) and the output head, through the ops' CUDA twins.
#include <cstdint>
#include <utility>

#include "gan/biggan/biggan_generator_cuda.h"
#include "gan/biggan/biggan_layers_cuda.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/linear.h"
#include "nn/ops/max_pool.h"
#include "nn/ops/relu.h"
#include "nn/ops/softmax.h"
#include "nn/ops/tanh.h"
#include "nn/ops/upsample.h"

namespace genint {
namespace {
float* floats(const Tensor& tensor) {
  return tensor.defined() ? tensor.data<float>() : nullptr;
}
}  // namespace

void BigGanCudaGenerator::conv(const DeviceConv& conv, int batch, int resolution, const float* input, float* output) {
  Conv2dShape shape = conv.shape;
  shape.batch = batch;
  shape.in_height = shape.in_width = resolution;
  conv2d_forward_cuda(shape, input, floats(conv.weight), floats(conv.bias), output,
                      workspace_.conv_workspace.raw_data(), workspace_.conv_workspace.byte_count(), conv_options_);
  forward_flops_ += 2.0 * static_cast<double>(shape.output_elements()) * (shape.in_channels / shape.groups) *
                    shape.kernel_height * shape.kernel_width;
}

void BigGanCudaGenerator::linear(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                                 float* output) {
  linear_forward_cuda(shape, input, weight, bias, output,
                      LinearCudaOptions{options_.stream, options_.allow_tf32, options_.bf16});
  forward_flops_ += 2.0 * shape.rows * shape.in_features * shape.out_features;
}

void BigGanCudaGenerator::conditional_norm_relu(const DeviceNorm& norm, int batch, int spatial, const float* condition,
                                                const float* input, float* output) {
  const LinearShape shape{batch, weights_.config.condition_dim(), norm.channels};
  float* gain = floats(workspace_.gain);
  const std::int64_t per_sample = static_cast<std::int64_t>(batch) * norm.channels;
  linear(shape, condition, floats(norm.scale), nullptr, gain);
  biggan_add_constant_cuda(gain, 1.0f, per_sample, options_.stream);  // 1 + scale(cond)
  linear(shape, condition, floats(norm.offset), nullptr, floats(workspace_.bias));
  const ConditionalBatchNormShape norm_shape{batch, norm.channels, spatial};
  conditional_batch_norm_forward_cuda(input, norm_shape, floats(workspace_.means) + norm.statistics_offset,
                                      floats(workspace_.vars) + norm.statistics_offset, gain, floats(workspace_.bias),
                                      weights_.config.eps, output, options_.stream);
  relu_forward_cuda(output, per_sample * spatial, output, options_.stream);
}

// bn_0 → relu → conv_0 → bn_1 → relu → [up] → conv_1 → bn_2 → relu → conv_2 → bn_3 → relu → conv_3, + skip.
void BigGanCudaGenerator::run_block(int block, int batch, const float* condition, float*& current, float*& spare) {
  const BigGanConfig& config = weights_.config;
  const DeviceBlock& weights = blocks_[static_cast<std::size_t>(block)];
  const int in_resolution = config.block_in_resolution(block), out_resolution = config.block_out_resolution(block);
  const int in_spatial = in_resolution * in_resolution, out_spatial = out_resolution * out_resolution;
  float* inner = floats(workspace_.inner_a);
  float* inner_spare = floats(workspace_.inner_b);
  conditional_norm_relu(weights.norms[0], batch, in_spatial, condition, current, spare);
  conv(weights.convs[0], batch, in_resolution, spare, inner);
  conditional_norm_relu(weights.norms[1], batch, in_spatial, condition, inner, inner);
  if (config.layers[static_cast<std::size_t>(block)].up_sample) {
    upsample_nearest_forward_cuda(inner, static_cast<std::int64_t>(batch) * config.block_middle_channels(block),
                                  in_resolution, in_resolution, 2, inner_spare, options_.stream);
    std::swap(inner, inner_spare);
  }
  conv(weights.convs[1], batch, out_resolution, inner, inner_spare);
  conditional_norm_relu(weights.norms[2], batch, out_spatial, condition, inner_spare, inner_spare);
  conv(weights.convs[2], batch, out_resolution, inner_spare, inner);
  conditional_norm_relu(weights.norms[3], batch, out_spatial, condition, inner, inner);
  conv(weights.convs[3], batch, out_resolution, inner, spare);
  SkipShape skip;
  skip.batch = batch;
  skip.skip_channels = config.block_in_channels(block);
  skip.output_channels = config.block_out_channels(block);
  skip.skip_resolution = in_resolution;
  skip.factor = out_resolution / in_resolution;
  biggan_add_skip_cuda(current, skip, spare, options_.stream);
  std::swap(current, spare);
}

// theta = 1x1(x); phi = pool(1x1(x)); attention = softmax(thetaᵀ phi) per position; g = pool(1x1(x));
// x += gamma · o_conv(g attentionᵀ).
void BigGanCudaGenerator::run_attention(int batch, float* activations) {
  const BigGanConfig& config = weights_.config;
  Workspace& space = workspace_;
  const int channels = config.attention_channels(), resolution = config.attention_resolution();
  BigGanAttentionShape shape;
  shape.batch = batch;
  shape.key_channels = channels / 8;
  shape.value_channels = channels / 2;
  shape.positions = resolution * resolution;
  shape.pooled = shape.positions / 4;
  conv(theta_, batch, resolution, activations, floats(space.theta));
  conv(phi_, batch, resolution, activations, floats(space.phi_full));
  conv(g_, batch, resolution, activations, floats(space.g_full));
  auto* argmax = static_cast<std::int32_t*>(space.pool_argmax.raw_data());
  MaxPoolShape pool{batch, shape.key_channels, resolution, resolution, 2, 2, 0};
  max_pool_forward_cuda(floats(space.phi_full), pool, floats(space.phi), argmax, options_.stream);
  pool.channels = shape.value_channels;
  max_pool_forward_cuda(floats(space.g_full), pool, floats(space.g), argmax, options_.stream);
  const LinearCudaOptions gemm{options_.stream, options_.allow_tf32, options_.bf16};
  biggan_attention_scores_cuda(shape, floats(space.theta), floats(space.phi), floats(space.attention), gemm);
  softmax_forward_cuda(floats(space.attention), static_cast<std::int64_t>(batch) * shape.positions, shape.pooled,
                       floats(space.attention), options_.stream);
  biggan_attention_values_cuda(shape, floats(space.g), floats(space.attention), floats(space.attention_g), gemm);
  // scores: positions × pooled × key_channels multiply-adds; values: value_channels × positions × pooled.
  forward_flops_ += 2.0 * batch * shape.positions * shape.pooled * (shape.key_channels + shape.value_channels);
  conv(o_, batch, resolution, floats(space.attention_g), floats(space.attention_out));
  biggan_add_scaled_cuda(floats(space.attention_out), weights_.attention.gamma,
                         static_cast<std::int64_t>(batch) * channels * shape.positions, activations, options_.stream);
}

// bn (unconditional) → relu → conv_to_rgb (its 3 used outputs only) → tanh.
void BigGanCudaGenerator::run_output(int batch, const float* activations, float* spare, float* images) {
  const BigGanConfig& config = weights_.config;
  const int spatial = config.output_dim * config.output_dim;
  const BatchNormShape shape{batch, final_norm_.channels, spatial};
  batch_norm_forward_eval_cuda(activations, shape, floats(final_norm_.weight), floats(final_norm_.bias),
                               floats(workspace_.means) + final_norm_.statistics_offset,
                               floats(workspace_.vars) + final_norm_.statistics_offset, config.eps, spare,
                               options_.stream);
  relu_forward_cuda(spare, static_cast<std::int64_t>(batch) * final_norm_.channels * spatial, spare, options_.stream);
  conv(to_rgb_, batch, config.output_dim, spare, images);
  tanh_forward_cuda(images, static_cast<std::int64_t>(batch) * 3 * spatial, images, options_.stream);
}

}  // namespace genint
