// BigGAN-deep's layers through the ops' dispatch points, the same code on the CPU and on CUDA: conditional batch
// norm + ReLU, GenBlock (bf16 inner activations in bf16 mode), SelfAttn (batched GEMMs) and the output head.
#include <cstdint>
#include <utility>

#include "gan/biggan/biggan_device_weights.h"
#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_ops.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/batched_gemm.h"
#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/linear.h"
#include "nn/ops/max_pool.h"
#include "nn/ops/relu.h"
#include "nn/ops/softmax.h"
#include "nn/ops/tanh.h"
#include "nn/ops/upsample.h"

namespace genint {
namespace {

MatmulPrecision matmul_precision(BigGanPrecision precision) {
  return {precision == BigGanPrecision::Tf32, precision == BigGanPrecision::Bf16};
}

// A [batch, channels, resolution, resolution] view of workspace memory.
Tensor activation(void* data, int batch, int channels, int resolution, DType dtype, Device device) {
  return Tensor::borrow(data, Shape{batch, channels, resolution, resolution}, dtype, device);
}

}  // namespace

// What every convolution of this generator runs with; fit_conv_scratch sizes the scratch with the same (the cuDNN
// plan's key includes them).
Conv2dParams BigGanGenerator::conv_params() const {
  Conv2dParams params;
  params.allow_tf32 = backend_.precision == BigGanPrecision::Tf32;
  params.bf16 = backend_.precision == BigGanPrecision::Bf16;
  params.stream = backend_.stream;
  params.forward_only = true;  // the generator never trains here: no backward algorithms or workspace
  return params;
}

void BigGanGenerator::conv(const BigGanDeviceConv& conv, int batch, int resolution, const Tensor& input,
                           const Tensor& output) {
  Conv2dParams params = conv_params();
  params.padding = conv.shape.kernel_height / 2;
  conv2d_forward(input, conv.weight, conv.bias, output, params, *conv_scratch_);
  const Conv2dShape shape = biggan_conv_shape(conv, batch, resolution);
  forward_flops_ +=
      2.0 * static_cast<double>(shape.output_elements()) * shape.in_channels * shape.kernel_height * shape.kernel_width;
}

void BigGanGenerator::linear(int rows, int in_features, int out_features, const float* input, const Tensor& weight,
                             const float* bias, float* output) {
  linear_forward(target_, LinearShape{rows, in_features, out_features}, input, weight.data<float>(), bias, output,
                 matmul_precision(backend_.precision));
  forward_flops_ += 2.0 * rows * in_features * out_features;
}

// gain = 1 + scale(condition) (the ones bias adds the 1, as `1 + x` in float32), bias = offset(condition), then the
// norm and ReLU in one op. Input and output are float32, or bfloat16 in bf16 mode.
void BigGanGenerator::conditional_norm_relu(const BigGanDeviceNorm& norm, int batch, int spatial,
                                            const float* condition, const Tensor& input, const Tensor& output) {
  const int condition_dim = weights_.config.condition_dim();
  float* gain = workspace_.gain.data<float>();
  float* bias = workspace_.bias.data<float>();
  linear(batch, condition_dim, norm.channels, condition, norm.scale, ones_.data<float>(), gain);
  linear(batch, condition_dim, norm.channels, condition, norm.offset, nullptr, bias);
  ConditionalBatchNormParameters parameters;
  parameters.mean = statistics_.data<float>() + norm.statistics_offset;
  parameters.var = parameters.mean + device_->statistics_channels;
  parameters.gain = gain;
  parameters.bias = bias;
  parameters.eps = weights_.config.eps;
  parameters.relu = true;
  const ConditionalBatchNormShape shape{batch, norm.channels, spatial};
  if (output.dtype() == DType::Float32)
    return conditional_batch_norm_forward(target_, input.data<float>(), shape, parameters, output.data<float>());
  auto* bf16_output = output.data<std::uint16_t>();
  if (input.dtype() == DType::Float32)
    return conditional_batch_norm_forward(target_, input.data<float>(), shape, parameters, bf16_output);
  conditional_batch_norm_forward(target_, input.data<std::uint16_t>(), shape, parameters, bf16_output);
}

void BigGanGenerator::upsample(int planes, int resolution, const Tensor& input, const Tensor& output) {
  if (input.dtype() == DType::Float32)
    return upsample_nearest_forward(target_, input.data<float>(), planes, resolution, resolution, 2,
                                    output.data<float>());
  upsample_nearest_forward(target_, input.data<std::uint16_t>(), planes, resolution, resolution, 2,
                           output.data<std::uint16_t>());
}

// bn_0 → relu → conv_0 → bn_1 → relu → [up] → conv_1 → bn_2 → relu → conv_2 → bn_3 → relu → conv_3, + skip.
// `current` holds the input and, on return, the output (float32, the residual stream); `spare` is the other main
// buffer. In bf16 mode everything between bn_0 and conv_3 stays bf16 (the convs' weights already are).
void BigGanGenerator::run_block(int block, int batch, const float* condition, float*& current, float*& spare) {
  const BigGanConfig& config = weights_.config;
  const BigGanDeviceBlock& weights = device_->blocks[static_cast<std::size_t>(block)];
  const DType inner_type = backend_.precision == BigGanPrecision::Bf16 ? DType::BFloat16 : DType::Float32;
  const Device device = target_.device;
  const int in_resolution = config.block_in_resolution(block), out_resolution = config.block_out_resolution(block);
  const int in_channels = config.block_in_channels(block), middle = config.block_middle_channels(block);
  const int out_channels = config.block_out_channels(block);
  const int in_spatial = in_resolution * in_resolution, out_spatial = out_resolution * out_resolution;
  void* inner = workspace_.inner_a.raw_data();
  void* inner_spare = workspace_.inner_b.raw_data();
  const Tensor normalized = activation(spare, batch, in_channels, in_resolution, inner_type, device);
  conditional_norm_relu(weights.norms[0], batch, in_spatial, condition,
                        activation(current, batch, in_channels, in_resolution, DType::Float32, device), normalized);
  Tensor hidden = activation(inner, batch, middle, in_resolution, inner_type, device);
  conv(weights.convs[0], batch, in_resolution, normalized, hidden);
  conditional_norm_relu(weights.norms[1], batch, in_spatial, condition, hidden, hidden);
  if (config.layers[static_cast<std::size_t>(block)].up_sample) {
    const Tensor upsampled = activation(inner_spare, batch, middle, out_resolution, inner_type, device);
    upsample(batch * middle, in_resolution, hidden, upsampled);
    std::swap(inner, inner_spare);
  }
  hidden = activation(inner, batch, middle, out_resolution, inner_type, device);
  const Tensor hidden_spare = activation(inner_spare, batch, middle, out_resolution, inner_type, device);
  conv(weights.convs[1], batch, out_resolution, hidden, hidden_spare);
  conditional_norm_relu(weights.norms[2], batch, out_spatial, condition, hidden_spare, hidden_spare);
  conv(weights.convs[2], batch, out_resolution, hidden_spare, hidden);
  conditional_norm_relu(weights.norms[3], batch, out_spatial, condition, hidden, hidden);
  conv(weights.convs[3], batch, out_resolution, hidden,
       activation(spare, batch, out_channels, out_resolution, DType::Float32, device));
  const SkipShape skip{batch, in_channels, out_channels, in_resolution, out_resolution / in_resolution};
  biggan_add_skip(target_, current, skip, spare);
  std::swap(current, spare);
}

// theta = 1x1(x); phi = pool(1x1(x)); attention = softmax(thetaᵀ phi) per position; g = pool(1x1(x));
// x += gamma · o_conv(g attentionᵀ). float32 activations in every mode.
void BigGanGenerator::run_attention(int batch, float* activations) {
  const BigGanConfig& config = weights_.config;
  Workspace& space = workspace_;
  const Device device = target_.device;
  const int channels = config.attention_channels(), resolution = config.attention_resolution();
  const int positions = resolution * resolution, pooled = positions / 4;
  const int keys = channels / 8, values = channels / 2;
  const Tensor input = activation(activations, batch, channels, resolution, DType::Float32, device);
  const auto view = [&](const Tensor& buffer, int view_channels) {
    return activation(buffer.raw_data(), batch, view_channels, resolution, DType::Float32, device);
  };
  conv(device_->theta, batch, resolution, input, view(space.theta, keys));
  conv(device_->phi, batch, resolution, input, view(space.phi_full, keys));
  conv(device_->g, batch, resolution, input, view(space.g_full, values));
  auto* argmax = static_cast<std::int32_t*>(space.pool_argmax.raw_data());
  MaxPoolShape pool{batch, keys, resolution, resolution, 2, 2, 0};
  max_pool_forward(target_, space.phi_full.data<float>(), pool, space.phi.data<float>(), argmax);
  pool.channels = values;
  max_pool_forward(target_, space.g_full.data<float>(), pool, space.g.data<float>(), argmax);
  const MatmulPrecision precision = matmul_precision(backend_.precision);
  // Each image's matrices, one stride apart: theta [keys × positions], phi [keys × pooled], attention
  // [positions × pooled], g [values × pooled], attention_g [values × positions].
  const std::int64_t theta_size = std::int64_t{keys} * positions, phi_size = std::int64_t{keys} * pooled;
  const std::int64_t attention_size = std::int64_t{positions} * pooled, g_size = std::int64_t{values} * pooled;
  const std::int64_t attention_g_size = std::int64_t{values} * positions;
  // Per image, row-major: scores [positions × pooled] = thetaᵀ · phi.
  const BatchedGemmShape scores{true,   false,  positions,  pooled,   keys,           positions,
                                pooled, pooled, theta_size, phi_size, attention_size, batch};
  batched_gemm(target_, scores, space.theta.data<float>(), space.phi.data<float>(), space.attention.data<float>(),
               precision);
  softmax_forward(target_, space.attention.data<float>(), static_cast<std::int64_t>(batch) * positions, pooled,
                  space.attention.data<float>());
  // Per image: attention_g [values × positions] = g · attentionᵀ.
  const BatchedGemmShape weighted{false,  true,      values, positions,      pooled,           pooled,
                                  pooled, positions, g_size, attention_size, attention_g_size, batch};
  batched_gemm(target_, weighted, space.g.data<float>(), space.attention.data<float>(), space.attention_g.data<float>(),
               precision);
  forward_flops_ += 2.0 * batch * positions * pooled * (keys + values);
  conv(device_->o, batch, resolution, view(space.attention_g, values), view(space.attention_out, channels));
  biggan_add_scaled(target_, space.attention_out.data<float>(), weights_.attention.gamma,
                    static_cast<std::int64_t>(batch) * channels * positions, activations);
}

// bn (unconditional) → relu → conv_to_rgb (its 3 used outputs only) → tanh.
void BigGanGenerator::run_output(int batch, const float* activations, float* spare, float* images) {
  const BigGanConfig& config = weights_.config;
  const BigGanDeviceNorm& norm = device_->final_norm;
  const int spatial = config.output_dim * config.output_dim;
  const float* means = statistics_.data<float>() + norm.statistics_offset;
  batch_norm_forward_eval(target_, activations, BatchNormShape{batch, norm.channels, spatial},
                          norm.weight.data<float>(), norm.bias.data<float>(), means,
                          means + device_->statistics_channels, config.eps, spare);
  relu_forward(target_, spare, static_cast<std::int64_t>(batch) * norm.channels * spatial, spare);
  const Device device = target_.device;
  conv(device_->to_rgb, batch, config.output_dim,
       activation(spare, batch, norm.channels, config.output_dim, DType::Float32, device),
       activation(images, batch, 3, config.output_dim, DType::Float32, device));
  tanh_forward(target_, images, static_cast<std::int64_t>(batch) * 3 * spatial, images);
}

}  // namespace genint
