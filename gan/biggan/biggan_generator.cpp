// BigGAN-deep forward orchestration: buffers sized once per batch size, condition vectors (shared or per layer),
// gen_z, the GenBlocks and attention in the reference's module order, the output head, activation hooks.
#include "gan/biggan/biggan_generator.h"

#include <omp.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <utility>

#include "gan/biggan/biggan_layers.h"
#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/linear.h"

namespace genint {
namespace {

std::size_t per_batch(std::int64_t per_image, int batch) {
  return static_cast<std::size_t>(per_image) * static_cast<std::size_t>(batch);
}

std::int64_t squared(int resolution) {
  return static_cast<std::int64_t>(resolution) * resolution;
}

// Floats of conv2d workspace the largest convolution of the network needs at this batch size.
std::size_t conv_workspace_floats(const BigGanWeights& weights, int batch) {
  const BigGanConfig& config = weights.config;
  const int threads = omp_get_max_threads();
  std::size_t floats = 0;
  auto consider = [&](const BigGanConvWeights& conv, int resolution) {
    floats = std::max(floats, conv2d_cpu_workspace_floats(biggan_conv_shape(conv, batch, resolution), threads));
  };
  for (int block = 0; block < config.block_count(); ++block) {
    const BigGanBlockWeights& weights_of_block = weights.blocks[static_cast<std::size_t>(block)];
    consider(weights_of_block.convs[0], config.block_in_resolution(block));
    for (int index = 1; index < 4; ++index) consider(weights_of_block.convs[index], config.block_out_resolution(block));
  }
  if (config.has_attention()) {
    const int resolution = config.attention_resolution();
    for (const BigGanConvWeights* conv :
         {&weights.attention.theta, &weights.attention.phi, &weights.attention.g, &weights.attention.o}) {
      consider(*conv, resolution);
    }
  }
  consider(weights.to_rgb, config.output_dim);
  return floats;
}

void size_attention(const BigGanConfig& config, int batch, std::vector<float>* buffers[8],
                    std::vector<std::int32_t>& argmax) {
  const std::int64_t channels = config.attention_channels();
  const std::int64_t positions = squared(config.attention_resolution());
  const std::int64_t pooled = positions / 4;
  const std::int64_t per_image[8] = {channels / 8 * positions, channels / 8 * positions, channels / 8 * pooled,
                                     channels / 2 * positions, channels / 2 * pooled,    positions * pooled,
                                     channels / 2 * positions, channels * positions};
  for (int index = 0; index < 8; ++index) buffers[index]->assign(per_batch(per_image[index], batch), 0.0f);
  argmax.assign(per_batch(channels / 2 * pooled, batch), 0);
}

}  // namespace

BigGanGenerator::BigGanGenerator(BigGanWeights weights) : weights_(std::move(weights)) {
  const BigGanConfig& config = weights_.config;
  const int modules = config.block_count() + (config.has_attention() ? 1 : 0);
  for (int index = 0; index < modules; ++index) module_names_.push_back("generator.layers." + std::to_string(index));
}

BigGanGenerator BigGanGenerator::load(const std::string& path) {
  return BigGanGenerator(BigGanWeights::load(path));
}

void BigGanGenerator::reserve(int max_batch) {
  GENINT_CHECK(max_batch > 0, "BigGanGenerator::reserve: batch must be positive, got " + std::to_string(max_batch));
  if (max_batch <= reserved_batch_) return;
  const BigGanConfig& config = weights_.config;
  std::int64_t main_floats = static_cast<std::int64_t>(config.gen_z_features());
  std::int64_t inner_floats = 0;
  int widest_norm = config.channel_width;
  for (int block = 0; block < config.block_count(); ++block) {
    main_floats = std::max({main_floats, config.block_in_channels(block) * squared(config.block_in_resolution(block)),
                            config.block_out_channels(block) * squared(config.block_out_resolution(block))});
    inner_floats =
        std::max(inner_floats, config.block_middle_channels(block) * squared(config.block_out_resolution(block)));
    widest_norm = std::max(widest_norm, config.block_in_channels(block));
  }
  Workspace& space = workspace_;
  space.embed.assign(per_batch(config.z_dim, max_batch), 0.0f);
  space.conditions.assign(
      per_batch(static_cast<std::int64_t>(config.latent_count()) * config.condition_dim(), max_batch), 0.0f);
  space.gen_z.assign(per_batch(config.gen_z_features(), max_batch), 0.0f);
  for (std::vector<float>* buffer : {&space.main_a, &space.main_b})
    buffer->assign(per_batch(main_floats, max_batch), 0.0f);
  for (std::vector<float>* buffer : {&space.inner_a, &space.inner_b}) {
    buffer->assign(per_batch(inner_floats, max_batch), 0.0f);
  }
  for (std::vector<float>* buffer : {&space.gain, &space.bias}) buffer->assign(per_batch(widest_norm, max_batch), 0.0f);
  for (std::vector<float>* buffer : {&space.mean, &space.var})
    buffer->assign(static_cast<std::size_t>(widest_norm), 0.0f);
  if (config.has_attention()) {
    std::vector<float>* buffers[8] = {&space.theta, &space.phi_full,  &space.phi,         &space.g_full,
                                      &space.g,     &space.attention, &space.attention_g, &space.attention_out};
    size_attention(config, max_batch, buffers, space.pool_argmax);
  }
  space.conv_workspace.assign(conv_workspace_floats(weights_, max_batch), 0.0f);
  reserved_batch_ = max_batch;
}

void BigGanGenerator::check_inputs(int batch, const float* class_vectors) const {
  GENINT_CHECK(batch > 0, "BigGAN forward: batch must be positive, got " + std::to_string(batch));
  GENINT_CHECK(class_vectors != nullptr, "BigGAN forward: class_vectors is null");
}

void BigGanGenerator::compute_conditions(int batch, const float* latents, const float* layer_latents,
                                         const float* class_vectors) {
  const BigGanConfig& config = weights_.config;
  LinearShape embed_shape;
  embed_shape.rows = batch;
  embed_shape.in_features = config.num_classes;
  embed_shape.out_features = config.z_dim;
  linear_forward_cpu(embed_shape, class_vectors, weights_.embeddings.data(), nullptr, workspace_.embed.data());
  condition_count_ = layer_latents != nullptr ? config.latent_count() : 1;
  const auto z_bytes = static_cast<std::size_t>(config.z_dim) * sizeof(float);
  for (int latent = 0; latent < condition_count_; ++latent) {
    const float* source =
        layer_latents != nullptr ? layer_latents + static_cast<std::ptrdiff_t>(latent) * batch * config.z_dim : latents;
    for (int row = 0; row < batch; ++row) {
      // cond = cat(z, embed), as BigGAN.forward builds it.
      float* condition =
          workspace_.conditions.data() + (static_cast<std::ptrdiff_t>(latent) * batch + row) * config.condition_dim();
      std::memcpy(condition, source + static_cast<std::ptrdiff_t>(row) * config.z_dim, z_bytes);
      std::memcpy(condition + config.z_dim, workspace_.embed.data() + static_cast<std::ptrdiff_t>(row) * config.z_dim,
                  z_bytes);
    }
  }
}

const float* BigGanGenerator::condition_for(int latent_index, int batch) const {
  const int index = condition_count_ == 1 ? 0 : latent_index;
  return workspace_.conditions.data() + static_cast<std::ptrdiff_t>(index) * batch * weights_.config.condition_dim();
}

void BigGanGenerator::run_gen_z(int batch, const float* condition) {
  LinearShape shape;
  shape.rows = batch;
  shape.in_features = weights_.config.condition_dim();
  shape.out_features = weights_.config.gen_z_features();
  linear_forward_cpu(shape, condition, weights_.gen_z_weight.data(), weights_.gen_z_bias.data(),
                     workspace_.gen_z.data());
  call_hook(gen_z_name_, workspace_.gen_z.data(), batch, shape.out_features, 1, 1);
}

void BigGanGenerator::forward_gen_z(int batch, const float* latents, const float* class_vectors, float* gen_z_output) {
  check_inputs(batch, class_vectors);
  GENINT_CHECK(latents != nullptr, "BigGAN forward_gen_z: latents is null");
  reserve(batch);
  compute_conditions(batch, latents, nullptr, class_vectors);
  run_gen_z(batch, condition_for(0, batch));
  std::copy(workspace_.gen_z.begin(),
            workspace_.gen_z.begin() + static_cast<std::ptrdiff_t>(batch) * weights_.config.gen_z_features(),
            gen_z_output);
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
  const TruncationStatistics statistics = truncation_statistics(inputs.truncation, config.n_stats);
  reserve(batch);
  compute_conditions(batch, inputs.latents, inputs.layer_latents, inputs.class_vectors);
  run_gen_z(batch, condition_for(0, batch));
  float* current = workspace_.main_a.data();
  float* spare = workspace_.main_b.data();
  // view(-1, 4, 4, 16·ch).permute(0, 3, 1, 2): gen_z's features are laid out (height, width, channel).
  biggan_features_to_nchw(workspace_.gen_z.data(), batch, 16 * config.channel_width, 4, current);
  for (int block = 0; block < config.block_count(); ++block) {
    if (config.has_attention() && block == config.attention_layer_position) {
      if (stopped()) return false;
      run_attention(batch, current);
      call_hook(module_names_[static_cast<std::size_t>(block)], current, batch, config.attention_channels(),
                config.attention_resolution(), config.attention_resolution());
    }
    if (stopped()) return false;
    run_block(block, batch, condition_for(block + 1, batch), statistics, current, spare);
    const int resolution = config.block_out_resolution(block);
    call_hook(module_names_[static_cast<std::size_t>(config.module_index_of_block(block))], current, batch,
              config.block_out_channels(block), resolution, resolution);
  }
  if (stopped()) return false;
  run_output(batch, current, spare, statistics, images);
  return true;
}

void BigGanGenerator::call_hook(const std::string& name, float* data, int batch, int channels, int height, int width) {
  if (!hook_) return;
  BigGanActivation activation;
  activation.name = &name;
  activation.data = data;
  activation.batch = batch;
  activation.channels = channels;
  activation.height = height;
  activation.width = width;
  hook_(activation);
}

}  // namespace genint
