// BigGAN-deep forward on CUDA: upload, workspace sizing, conditions and truncation statistics (host-side, one
// upload each per forward), then gen_z, the GenBlocks, attention and the output head in the CPU twin's order.
#include "gan/biggan/biggan_generator_cuda.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "gan/biggan/biggan_layers_cuda.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/ops/linear.h"

namespace genint {
namespace {

Tensor upload(const std::vector<float>& values) {
  if (values.empty()) return Tensor{};
  Tensor tensor = Tensor::empty(Shape{static_cast<std::int64_t>(values.size())}, DType::Float32, Device::Cuda);
  tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

Tensor device_floats(std::int64_t count) {
  return Tensor::empty(Shape{std::max<std::int64_t>(count, 1)}, DType::Float32, Device::Cuda);
}

float* floats(const Tensor& tensor) {
  return tensor.defined() ? tensor.data<float>() : nullptr;
}

std::int64_t squared(int resolution) {
  return static_cast<std::int64_t>(resolution) * resolution;
}

}  // namespace

BigGanCudaGenerator::BigGanCudaGenerator(BigGanWeights weights, const BigGanCudaOptions& options)
    : weights_(std::move(weights)), options_(options), conv_options_{options.stream, options.allow_tf32, options.bf16} {
  GENINT_CHECK(cuda_backend_built(), "BigGanCudaGenerator: genint was built without its CUDA backend");
  weights_.config.validate("BigGanCudaGenerator");
  gen_z_weight_ = upload(weights_.gen_z_weight);
  gen_z_bias_ = upload(weights_.gen_z_bias);
  for (BigGanBlockWeights& block : weights_.blocks) {
    DeviceBlock device_block;
    for (int index = 0; index < 4; ++index) {
      device_block.norms[index] = upload_norm(block.norms[index]);
      device_block.convs[index] = upload_conv(block.convs[index]);
    }
    blocks_.push_back(std::move(device_block));
  }
  if (weights_.config.has_attention()) {
    theta_ = upload_conv(weights_.attention.theta);
    phi_ = upload_conv(weights_.attention.phi);
    g_ = upload_conv(weights_.attention.g);
    o_ = upload_conv(weights_.attention.o);
  }
  final_norm_ = upload_norm(weights_.final_norm);
  to_rgb_ = upload_conv(weights_.to_rgb);
}

BigGanCudaGenerator::DeviceConv BigGanCudaGenerator::upload_conv(const BigGanConvWeights& conv) const {
  DeviceConv device_conv;
  device_conv.shape = biggan_conv_shape(conv, 1, 1);
  device_conv.weight = upload(conv.weight);
  device_conv.bias = upload(conv.bias);
  return device_conv;
}

BigGanCudaGenerator::DeviceNorm BigGanCudaGenerator::upload_norm(const BigGanNormWeights& norm) {
  DeviceNorm device_norm;
  device_norm.channels = norm.channels;
  device_norm.scale = upload(norm.scale);
  device_norm.offset = upload(norm.offset);
  device_norm.weight = upload(norm.weight);
  device_norm.bias = upload(norm.bias);
  device_norm.statistics_offset = statistics_channels_;
  statistics_channels_ += norm.channels;
  host_norms_.push_back(&norm);  // weights_ is not moved again: the pointer stays valid
  return device_norm;
}

void BigGanCudaGenerator::reserve(int max_batch) {
  GENINT_CHECK(max_batch > 0, "BigGanCudaGenerator::reserve: batch must be positive, got " + std::to_string(max_batch));
  if (max_batch <= reserved_batch_) return;
  const BigGanConfig& config = weights_.config;
  std::int64_t main = config.gen_z_features(), inner = 0, widest = config.channel_width;
  for (int block = 0; block < config.block_count(); ++block) {
    main = std::max({main, config.block_in_channels(block) * squared(config.block_in_resolution(block)),
                     config.block_out_channels(block) * squared(config.block_out_resolution(block))});
    inner = std::max(inner, config.block_middle_channels(block) * squared(config.block_out_resolution(block)));
    widest = std::max<std::int64_t>(widest, config.block_in_channels(block));
  }
  const std::int64_t batch = max_batch;
  Workspace& space = workspace_;
  if (reserved_batch_ > 0)
    cuda_stream_synchronize(options_.stream);  // queued work may still read the buffers freed next
  space = Workspace{};                         // frees the smaller buffers before the larger ones are allocated
  uploaded_truncation_ = -1.0;                 // the statistics buffers are new
  space.conditions = device_floats(batch * config.latent_count() * config.condition_dim());
  space.gen_z = device_floats(batch * config.gen_z_features());
  space.main_a = device_floats(batch * main);
  space.main_b = device_floats(batch * main);
  space.inner_a = device_floats(batch * inner);
  space.inner_b = device_floats(batch * inner);
  space.gain = device_floats(batch * widest);
  space.bias = device_floats(batch * widest);
  space.images = device_floats(batch * 3 * squared(config.output_dim));
  space.means = device_floats(statistics_channels_);
  space.vars = device_floats(statistics_channels_);
  if (config.has_attention()) {
    const std::int64_t channels = config.attention_channels(), positions = squared(config.attention_resolution());
    const std::int64_t pooled = positions / 4;
    space.theta = device_floats(batch * channels / 8 * positions);
    space.phi_full = device_floats(batch * channels / 8 * positions);
    space.phi = device_floats(batch * channels / 8 * pooled);
    space.g_full = device_floats(batch * channels / 2 * positions);
    space.g = device_floats(batch * channels / 2 * pooled);
    space.attention = device_floats(batch * positions * pooled);
    space.attention_g = device_floats(batch * channels / 2 * positions);
    space.attention_out = device_floats(batch * channels * positions);
    space.pool_argmax = device_floats(batch * channels / 2 * pooled);  // int32 indices in 4-byte slots
  }
  const std::size_t conv_bytes = std::max<std::size_t>(conv_workspace_bytes(max_batch), 1);
  space.conv_workspace = Tensor::empty(Shape{static_cast<std::int64_t>(conv_bytes)}, DType::UInt8, Device::Cuda);
  conv_workspace_batch_ = max_batch;
  reserved_batch_ = max_batch;
}

std::size_t BigGanCudaGenerator::conv_workspace_bytes(int batch) const {
  const BigGanConfig& config = weights_.config;
  std::size_t bytes = 0;
  auto consider = [&](const DeviceConv& conv, int resolution) {
    Conv2dShape shape = conv.shape;
    shape.batch = batch;
    shape.in_height = shape.in_width = resolution;
    bytes = std::max(bytes, conv2d_cuda_workspace_bytes(shape, conv_options_));
  };
  for (int block = 0; block < config.block_count(); ++block) {
    const DeviceBlock& device_block = blocks_[static_cast<std::size_t>(block)];
    consider(device_block.convs[0], config.block_in_resolution(block));
    for (int index = 1; index < 4; ++index) consider(device_block.convs[index], config.block_out_resolution(block));
  }
  if (config.has_attention()) {
    for (const DeviceConv* conv : {&theta_, &phi_, &g_, &o_}) consider(*conv, config.attention_resolution());
  }
  consider(to_rgb_, config.output_dim);
  return bytes;
}

void BigGanCudaGenerator::fit_conv_workspace(int batch) {
  if (batch == conv_workspace_batch_) return;
  const std::size_t bytes = conv_workspace_bytes(batch);
  if (bytes > workspace_.conv_workspace.byte_count()) {
    // This generator's stream may still read the old workspace; drain it before the buffer is freed.
    cuda_stream_synchronize(options_.stream);
    workspace_.conv_workspace = Tensor{};
    workspace_.conv_workspace = Tensor::empty(Shape{static_cast<std::int64_t>(bytes)}, DType::UInt8, Device::Cuda);
  }
  conv_workspace_batch_ = batch;
}

std::size_t BigGanCudaGenerator::workspace_bytes() const {
  std::size_t bytes = 0;
  const Workspace& space = workspace_;
  for (const Tensor* tensor :
       {&space.conditions, &space.gen_z,       &space.main_a,        &space.main_b,      &space.inner_a,
        &space.inner_b,    &space.gain,        &space.bias,          &space.means,       &space.vars,
        &space.theta,      &space.phi_full,    &space.phi,           &space.g_full,      &space.g,
        &space.attention,  &space.attention_g, &space.attention_out, &space.pool_argmax, &space.conv_workspace,
        &space.images})
    bytes += tensor->byte_count();
  return bytes;
}

// cond = cat(z, class_vectors · embeddingsᵀ) per latent, built on the host (a few KB) and uploaded at once.
void BigGanCudaGenerator::upload_conditions(int batch, const BigGanInputs& inputs) {
  const BigGanConfig& config = weights_.config;
  const auto rows = static_cast<std::size_t>(batch);
  host_embed_.resize(rows * static_cast<std::size_t>(config.z_dim));
  linear_forward_cpu(LinearShape{batch, config.num_classes, config.z_dim}, inputs.class_vectors,
                     weights_.embeddings.data(), nullptr, host_embed_.data());
  condition_count_ = inputs.layer_latents != nullptr ? config.latent_count() : 1;
  const auto condition_dim = static_cast<std::size_t>(config.condition_dim());
  const auto z_dim = static_cast<std::size_t>(config.z_dim);
  host_conditions_.resize(static_cast<std::size_t>(condition_count_) * rows * condition_dim);
  for (std::size_t latent = 0; latent < static_cast<std::size_t>(condition_count_); ++latent) {
    const float* source =
        inputs.layer_latents != nullptr ? inputs.layer_latents + latent * rows * z_dim : inputs.latents;
    for (std::size_t row = 0; row < rows; ++row) {
      float* condition = host_conditions_.data() + (latent * rows + row) * condition_dim;
      std::memcpy(condition, source + row * z_dim, z_dim * sizeof(float));
      std::memcpy(condition + z_dim, host_embed_.data() + row * z_dim, z_dim * sizeof(float));
    }
  }
  Tensor destination = workspace_.conditions.slice_rows(0, static_cast<std::int64_t>(host_conditions_.size()));
  destination.copy_from_host(host_conditions_.data(), host_conditions_.size() * sizeof(float));
}

// Every batch norm's interpolated mean and var, in one host buffer each, uploaded when the truncation changes.
void BigGanCudaGenerator::upload_statistics(double truncation) {
  if (truncation == uploaded_truncation_) return;
  const TruncationStatistics choice = truncation_statistics(truncation, weights_.config.n_stats);
  host_means_.resize(static_cast<std::size_t>(statistics_channels_));
  host_vars_.resize(static_cast<std::size_t>(statistics_channels_));
  std::size_t offset = 0;
  for (const BigGanNormWeights* norm : host_norms_) {
    interpolate_statistics(choice, norm->running_means.data(), norm->channels, host_means_.data() + offset);
    interpolate_statistics(choice, norm->running_vars.data(), norm->channels, host_vars_.data() + offset);
    offset += static_cast<std::size_t>(norm->channels);
  }
  Tensor means = workspace_.means.slice_rows(0, statistics_channels_);
  Tensor vars = workspace_.vars.slice_rows(0, statistics_channels_);
  means.copy_from_host(host_means_.data(), host_means_.size() * sizeof(float));
  vars.copy_from_host(host_vars_.data(), host_vars_.size() * sizeof(float));
  uploaded_truncation_ = truncation;
}

const float* BigGanCudaGenerator::condition_for(int latent_index, int batch) const {
  const int index = condition_count_ == 1 ? 0 : latent_index;
  return floats(workspace_.conditions) + static_cast<std::ptrdiff_t>(index) * batch * weights_.config.condition_dim();
}

void BigGanCudaGenerator::forward(int batch, const BigGanInputs& inputs, float* device_images) {
  GENINT_CHECK(batch > 0, "BigGAN CUDA forward: batch must be positive, got " + std::to_string(batch));
  GENINT_CHECK(inputs.class_vectors != nullptr, "BigGAN CUDA forward: class_vectors is null");
  GENINT_CHECK(inputs.latents != nullptr || inputs.layer_latents != nullptr,
               "BigGAN CUDA forward: give latents or layer_latents");
  GENINT_CHECK(device_images != nullptr, "BigGAN CUDA forward: images is null");
  const BigGanConfig& config = weights_.config;
  reserve(batch);
  fit_conv_workspace(batch);
  // The host-to-device copies below are blocking; a forward still queued on a user stream may read these
  // buffers, so that stream is drained first (only this generator's work: other producers keep running).
  if (options_.stream != nullptr) cuda_stream_synchronize(options_.stream);
  upload_statistics(inputs.truncation);
  upload_conditions(batch, inputs);
  forward_flops_ = 0.0;
  linear(LinearShape{batch, config.condition_dim(), config.gen_z_features()}, condition_for(0, batch),
         floats(gen_z_weight_), floats(gen_z_bias_), floats(workspace_.gen_z));
  float* current = floats(workspace_.main_a);
  float* spare = floats(workspace_.main_b);
  // view(-1, 4, 4, 16·ch).permute(0, 3, 1, 2): gen_z's features are laid out (height, width, channel).
  biggan_features_to_nchw_cuda(floats(workspace_.gen_z), batch, 16 * config.channel_width, 4, current, options_.stream);
  for (int block = 0; block < config.block_count(); ++block) {
    if (config.has_attention() && block == config.attention_layer_position) run_attention(batch, current);
    run_block(block, batch, condition_for(block + 1, batch), current, spare);
  }
  run_output(batch, current, spare, device_images);
}

void BigGanCudaGenerator::forward_to_host(int batch, const BigGanInputs& inputs, float* host_images) {
  GENINT_CHECK(host_images != nullptr, "BigGAN CUDA forward_to_host: images is null");
  reserve(batch);
  const Tensor images = workspace_.images.slice_rows(0, static_cast<std::int64_t>(batch) * 3 * squared(resolution()));
  forward(batch, inputs, floats(images));
  cuda_stream_synchronize(options_.stream);
  images.copy_to_host(host_images, images.byte_count());
}

}  // namespace genint
