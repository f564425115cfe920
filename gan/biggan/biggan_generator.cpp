// BigGAN-deep forward orchestration on its device: buffers sized once per batch size, condition vectors (shared or
// per layer, built on the host), truncation statistics (interpolated once per truncation), gen_z, the GenBlocks and
// attention in the reference's module order, the output head, activation hooks.
#include "gan/biggan/biggan_generator.h"

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "gan/biggan/biggan_device_weights.h"
#include "gan/biggan/biggan_ops.h"
#include "nn/core/cuda_backend.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/core/log.h"
#include "nn/ops/linear.h"

namespace genint {
namespace {

std::int64_t squared(int resolution) {
  return static_cast<std::int64_t>(resolution) * resolution;
}

// An uninitialised float32 buffer of `count` values (at least one) on `device`.
Tensor floats(std::int64_t count, Device device) {
  return Tensor::empty(Shape{std::max<std::int64_t>(count, 1)}, DType::Float32, device);
}

}  // namespace

BigGanGenerator::BigGanGenerator(BigGanWeights weights, const BigGanBackend& backend)
    : weights_(std::move(weights)), backend_(backend), target_{backend.device, backend.stream} {
  const BigGanConfig& config = weights_.config;
  config.validate("BigGanGenerator");
  GENINT_CHECK(!target_.on_cpu() || (backend.precision == BigGanPrecision::Float32 && backend.stream == nullptr),
               "BigGanGenerator: the CPU forward is float32 and has no stream (TF32, bf16 and streams are CUDA's)");
  if (!target_.on_cpu() && !cuda_backend_built()) throw_cuda_backend_absent("BigGanGenerator on Device::Cuda");
  device_ = std::make_unique<BigGanDeviceWeights>(
      place_biggan_weights(weights_, target_, backend.precision == BigGanPrecision::Bf16));
  const int modules = config.block_count() + (config.has_attention() ? 1 : 0);
  for (int index = 0; index < modules; ++index) module_names_.push_back("generator.layers." + std::to_string(index));
  const std::int64_t statistics = device_->statistics_channels;
  host_statistics_.assign(static_cast<std::size_t>(2 * statistics), 0.0f);
  int widest = 0;
  for_each_biggan_norm(weights_, [&](const BigGanNormWeights& norm) { widest = std::max(widest, norm.channels); });
  const std::vector<float> ones(static_cast<std::size_t>(widest), 1.0f);
  if (target_.on_cpu()) {
    statistics_ = Tensor::borrow(host_statistics_.data(), Shape{2 * statistics}, DType::Float32, Device::Cpu);
    ones_ = Tensor::empty(Shape{widest}, DType::Float32, Device::Cpu);
    std::copy(ones.begin(), ones.end(), ones_.data<float>());
  } else {
    statistics_ = Tensor::empty(Shape{2 * statistics}, DType::Float32, Device::Cuda);
    ones_ = Tensor::empty(Shape{widest}, DType::Float32, Device::Cuda);
    ones_.copy_from_host(ones.data(), ones_.byte_count(), backend_.stream);
  }
}

BigGanGenerator BigGanGenerator::load(const std::string& path, const BigGanBackend& backend) {
  return BigGanGenerator(BigGanWeights::load(path), backend);
}

BigGanGenerator::~BigGanGenerator() {
  if (target_.on_cpu() || !device_) return;  // nothing queued, or moved from
  try {
    cuda_stream_synchronize(backend_.stream);  // queued work may still read the buffers freed next
  } catch (const std::exception& error) {
    GENINT_LOG(Error) << "BigGanGenerator: waiting for the stream before freeing failed: " << error.what();
  }
}
BigGanGenerator::BigGanGenerator(BigGanGenerator&&) noexcept = default;

void BigGanGenerator::reserve(int max_batch) {
  GENINT_CHECK(max_batch > 0, "BigGanGenerator::reserve: batch must be positive, got " + std::to_string(max_batch));
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
  const Device device = target_.device;
  if (!target_.on_cpu() && reserved_batch_ > 0) cuda_stream_synchronize(backend_.stream);  // work may read them
  Workspace& space = workspace_;
  space = Workspace{};  // frees the smaller buffers before the larger ones are allocated
  const std::int64_t condition_floats = batch * config.latent_count() * config.condition_dim();
  host_conditions_.assign(static_cast<std::size_t>(condition_floats), 0.0f);
  host_embed_.assign(static_cast<std::size_t>(batch * config.z_dim), 0.0f);
  space.conditions = target_.on_cpu()
                         ? Tensor::borrow(host_conditions_.data(), Shape{condition_floats}, DType::Float32, device)
                         : floats(condition_floats, device);
  space.gen_z = floats(batch * config.gen_z_features(), device);
  space.main_a = floats(batch * main, device);
  space.main_b = floats(batch * main, device);
  space.inner_a = floats(batch * inner, device);
  space.inner_b = floats(batch * inner, device);
  space.gain = floats(batch * widest, device);
  space.bias = floats(batch * widest, device);
  if (!target_.on_cpu()) space.images = floats(batch * 3 * squared(config.output_dim), device);
  if (config.has_attention()) {
    const std::int64_t channels = config.attention_channels(), positions = squared(config.attention_resolution());
    const std::int64_t pooled = positions / 4;
    space.theta = floats(batch * channels / 8 * positions, device);
    space.phi_full = floats(batch * channels / 8 * positions, device);
    space.phi = floats(batch * channels / 8 * pooled, device);
    space.g_full = floats(batch * channels / 2 * positions, device);
    space.g = floats(batch * channels / 2 * pooled, device);
    space.attention = floats(batch * positions * pooled, device);
    space.attention_g = floats(batch * channels / 2 * positions, device);
    space.attention_out = floats(batch * channels * positions, device);
    space.pool_argmax = floats(batch * channels / 2 * pooled, device);  // int32 indices in 4-byte slots
  }
  reserved_batch_ = max_batch;
  scratch_batch_ = 0;
  fit_conv_scratch(max_batch);
}

// The largest scratch any convolution takes at this batch size (on CUDA: the chosen algorithms' workspace, so a
// smaller batch may need more); the arena grows once when it is short.
void BigGanGenerator::fit_conv_scratch(int batch) {
  if (batch == scratch_batch_) return;
  const BigGanConfig& config = weights_.config;
  const Conv2dParams params = conv_params();
  std::size_t bytes = 0;
  const auto consider = [&](const BigGanDeviceConv& conv, int resolution) {
    bytes = std::max(bytes, conv2d_scratch_bytes(target_.device, biggan_conv_shape(conv, batch, resolution), params));
  };
  for (int block = 0; block < config.block_count(); ++block) {
    const BigGanDeviceBlock& weights = device_->blocks[static_cast<std::size_t>(block)];
    consider(weights.convs[0], config.block_in_resolution(block));
    for (int index = 1; index < 4; ++index) consider(weights.convs[index], config.block_out_resolution(block));
  }
  if (config.has_attention())
    for (const BigGanDeviceConv* conv : {&device_->theta, &device_->phi, &device_->g, &device_->o})
      consider(*conv, config.attention_resolution());
  consider(device_->to_rgb, config.output_dim);
  bytes += Arena::kAlignment;  // the arena rounds each allocation up to its alignment
  if (!conv_scratch_ || conv_scratch_->capacity() < bytes) {
    if (conv_scratch_ && !target_.on_cpu()) cuda_stream_synchronize(backend_.stream);  // queued convs may use it
    conv_scratch_.reset();
    conv_scratch_ = std::make_unique<Arena>(target_.device, bytes);
  }
  scratch_batch_ = batch;
}

std::size_t BigGanGenerator::workspace_bytes() const {
  std::size_t bytes = conv_scratch_ ? conv_scratch_->capacity() : 0;
  const Workspace& space = workspace_;
  for (const Tensor* tensor :
       {&space.conditions, &space.gen_z, &space.main_a, &space.main_b, &space.inner_a, &space.inner_b, &space.gain,
        &space.bias, &space.theta, &space.phi_full, &space.phi, &space.g_full, &space.g, &space.attention,
        &space.attention_g, &space.attention_out, &space.pool_argmax, &space.images})
    if (tensor->owns_storage()) bytes += tensor->byte_count();
  return bytes;
}

void BigGanGenerator::check_inputs(int batch, const float* class_vectors) const {
  GENINT_CHECK(batch > 0, "BigGAN forward: batch must be positive, got " + std::to_string(batch));
  GENINT_CHECK(class_vectors != nullptr, "BigGAN forward: class_vectors is null");
}

// cond = cat(z, class_vectors · embeddingsᵀ) per latent, as BigGAN.forward builds it: on the host (a few KB), then
// copied to the device on the stream.
void BigGanGenerator::prepare_conditions(int batch, const float* latents, const float* layer_latents,
                                         const float* class_vectors) {
  const BigGanConfig& config = weights_.config;
  linear_forward_cpu(LinearShape{batch, config.num_classes, config.z_dim}, class_vectors, weights_.embeddings.data(),
                     nullptr, host_embed_.data());
  condition_count_ = layer_latents != nullptr ? config.latent_count() : 1;
  const auto rows = static_cast<std::size_t>(batch);
  const auto condition_dim = static_cast<std::size_t>(config.condition_dim());
  const auto z_dim = static_cast<std::size_t>(config.z_dim);
  for (std::size_t latent = 0; latent < static_cast<std::size_t>(condition_count_); ++latent) {
    const float* source = layer_latents != nullptr ? layer_latents + latent * rows * z_dim : latents;
    for (std::size_t row = 0; row < rows; ++row) {
      float* condition = host_conditions_.data() + (latent * rows + row) * condition_dim;
      std::memcpy(condition, source + row * z_dim, z_dim * sizeof(float));
      std::memcpy(condition + z_dim, host_embed_.data() + row * z_dim, z_dim * sizeof(float));
    }
  }
  if (target_.on_cpu()) return;  // the conditions tensor views host_conditions_
  const auto count = static_cast<std::int64_t>(condition_count_ * rows * condition_dim);
  workspace_.conditions.slice_rows(0, count).copy_from_host(host_conditions_.data(), count * sizeof(float),
                                                            backend_.stream);
}

// Every batch norm's interpolated mean and var, computed when the truncation changes.
void BigGanGenerator::prepare_statistics(double truncation) {
  if (truncation == statistics_truncation_) return;
  const TruncationStatistics choice = truncation_statistics(truncation, weights_.config.n_stats);
  float* means = host_statistics_.data();
  float* vars = means + device_->statistics_channels;
  std::size_t offset = 0;
  for_each_biggan_norm(weights_, [&](const BigGanNormWeights& norm) {
    interpolate_statistics(choice, norm.running_means.data(), norm.channels, means + offset);
    interpolate_statistics(choice, norm.running_vars.data(), norm.channels, vars + offset);
    offset += static_cast<std::size_t>(norm.channels);
  });
  if (!target_.on_cpu())
    statistics_.copy_from_host(host_statistics_.data(), host_statistics_.size() * sizeof(float), backend_.stream);
  statistics_truncation_ = truncation;
}

const float* BigGanGenerator::condition_for(int latent_index, int batch) const {
  const int index = condition_count_ == 1 ? 0 : latent_index;
  return workspace_.conditions.data<float>() +
         static_cast<std::ptrdiff_t>(index) * batch * weights_.config.condition_dim();
}

void BigGanGenerator::run_gen_z(int batch, const float* condition) {
  const BigGanConfig& config = weights_.config;
  linear(batch, config.condition_dim(), config.gen_z_features(), condition, device_->gen_z_weight,
         device_->gen_z_bias.data<float>(), workspace_.gen_z.data<float>());
  call_hook(gen_z_name_, workspace_.gen_z.data<float>(), batch, config.gen_z_features(), 1, 1);
}

void BigGanGenerator::forward_gen_z(int batch, const float* latents, const float* class_vectors, float* gen_z_output) {
  check_inputs(batch, class_vectors);
  GENINT_CHECK(latents != nullptr, "BigGAN forward_gen_z: latents is null");
  reserve(batch);
  prepare_conditions(batch, latents, nullptr, class_vectors);
  run_gen_z(batch, condition_for(0, batch));
  const Tensor gen_z = workspace_.gen_z.slice_rows(0, static_cast<std::int64_t>(batch) * config().gen_z_features());
  gen_z.copy_to_host(gen_z_output, gen_z.byte_count(), backend_.stream);
}

bool BigGanGenerator::forward(int batch, const BigGanInputs& inputs, float* images,
                              const std::atomic<bool>* stop_requested) {
  check_inputs(batch, inputs.class_vectors);
  GENINT_CHECK(inputs.latents != nullptr || inputs.layer_latents != nullptr,
               "BigGAN forward: give latents or layer_latents");
  GENINT_CHECK(images != nullptr, "BigGAN forward: images is null");
  // Relaxed: the flag only says "stop soon"; no data written by the setter is read here.
  const auto stopped = [stop_requested] {
    return stop_requested != nullptr && stop_requested->load(std::memory_order_relaxed);
  };
  const BigGanConfig& config = weights_.config;
  reserve(batch);
  fit_conv_scratch(batch);
  prepare_statistics(inputs.truncation);
  prepare_conditions(batch, inputs.latents, inputs.layer_latents, inputs.class_vectors);
  forward_flops_ = 0.0;
  run_gen_z(batch, condition_for(0, batch));
  float* current = workspace_.main_a.data<float>();
  float* spare = workspace_.main_b.data<float>();
  // view(-1, 4, 4, 16·ch).permute(0, 3, 1, 2): gen_z's features are laid out (height, width, channel).
  biggan_features_to_nchw(target_, workspace_.gen_z.data<float>(), batch, 16 * config.channel_width, 4, current);
  for (int block = 0; block < config.block_count(); ++block) {
    if (config.has_attention() && block == config.attention_layer_position) {
      if (stopped()) return false;
      run_attention(batch, current);
      call_hook(module_names_[static_cast<std::size_t>(block)], current, batch, config.attention_channels(),
                config.attention_resolution(), config.attention_resolution());
    }
    if (stopped()) return false;
    run_block(block, batch, condition_for(block + 1, batch), current, spare);
    const int resolution = config.block_out_resolution(block);
    call_hook(module_names_[static_cast<std::size_t>(config.module_index_of_block(block))], current, batch,
              config.block_out_channels(block), resolution, resolution);
  }
  if (stopped()) return false;
  run_output(batch, current, spare, images);
  return true;
}

bool BigGanGenerator::forward_to_host(int batch, const BigGanInputs& inputs, float* host_images,
                                      const std::atomic<bool>* stop_requested) {
  if (target_.on_cpu()) return forward(batch, inputs, host_images, stop_requested);
  GENINT_CHECK(host_images != nullptr, "BigGAN forward_to_host: images is null");
  reserve(batch);
  const Tensor images = workspace_.images.slice_rows(0, static_cast<std::int64_t>(batch) * 3 * squared(resolution()));
  if (!forward(batch, inputs, images.data<float>(), stop_requested)) return false;
  images.copy_to_host(host_images, images.byte_count(), backend_.stream);
  return true;
}

// On CUDA the hook sees a host copy (grown once to the largest activation hooked), written back after it.
void BigGanGenerator::call_hook(const std::string& name, float* data, int batch, int channels, int height, int width) {
  if (!hook_) return;
  const std::int64_t count = static_cast<std::int64_t>(batch) * channels * height * width;
  const Tensor values = Tensor::borrow(data, Shape{count}, DType::Float32, target_.device);
  float* host = data;
  if (!target_.on_cpu()) {
    if (host_activation_.size() < static_cast<std::size_t>(count))
      host_activation_.resize(static_cast<std::size_t>(count));
    host = host_activation_.data();
    values.copy_to_host(host, values.byte_count(), backend_.stream);
  }
  hook_(BigGanActivation{&name, host, batch, channels, height, width});
  if (!target_.on_cpu()) {
    Tensor destination = values;
    destination.copy_from_host(host, values.byte_count(), backend_.stream);
  }
}

}  // namespace genint
