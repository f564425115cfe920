// BigGAN-deep generator forward on the CPU, composed from genint's nn ops and held to pytorch-pretrained-biggan:
// (z, class vector, truncation) → images in [−1, 1], with per-layer latents, gen_z access and activation hooks.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gan/biggan/biggan_config.h"
#include "gan/biggan/biggan_truncation.h"
#include "gan/biggan/biggan_weights.h"

namespace genint {

// An activation as the generator just produced it; `data` may be edited in place (like a PyTorch forward hook
// returning a changed output) and the forward continues from the edited values.
struct BigGanActivation {
  // The reference module's name: "generator.gen_z" (batch × features, height = width = 1, as the Linear
  // outputs it, before the reshape to NCHW) or "generator.layers.<index>" (a GenBlock or the SelfAttn).
  const std::string* name = nullptr;
  float* data = nullptr;
  int batch = 0, channels = 0, height = 0, width = 0;
};
using BigGanActivationHook = std::function<void(const BigGanActivation&)>;

struct BigGanInputs {
  // [batch, z_dim]: the latent every layer sees. Ignored when layer_latents is given.
  const float* latents = nullptr;
  // [config.latent_count(), batch, z_dim], optional: latent 0 feeds gen_z, latent k + 1 the k-th GenBlock
  // (GANSpace's per-layer mechanism; each is concatenated with the same class embedding).
  const float* layer_latents = nullptr;
  // [batch, num_classes]: one-hot or any mixture, multiplied by the embedding matrix as the reference does.
  const float* class_vectors = nullptr;
  double truncation = 1.0;  // in (0, 1]; selects the batch-norm statistics (see biggan_truncation.h)
};

class BigGanGenerator {
 public:
  explicit BigGanGenerator(BigGanWeights weights);
  // Loads a file written by tools/convert_biggan.py.
  static BigGanGenerator load(const std::string& path);

  const BigGanConfig& config() const { return weights_.config; }
  int resolution() const { return weights_.config.output_dim; }

  // Sizes every buffer for batches up to `max_batch` now; a larger batch later grows them once.
  void reserve(int max_batch);
  int reserved_batch() const { return reserved_batch_; }

  // images: [batch, 3, resolution, resolution], float32 in [−1, 1]. Returns true when the images are written.
  // `stop_requested` (optional, e.g. a loader's stop flag) is read before every module after gen_z and before
  // the output head: a whole forward at 128 px takes seconds on the CPU, and a loader being destroyed must not
  // wait for it. When it reads true the forward returns false at once and `images` is left unwritten.
  bool forward(int batch, const BigGanInputs& inputs, float* images, const std::atomic<bool>* stop_requested = nullptr);
  // Only embedding and gen_z (the layer GANSpace's PCA samples): output [batch, config().gen_z_features()].
  void forward_gen_z(int batch, const float* latents, const float* class_vectors, float* gen_z_output);
  // gen_z's output of the last forward (hook edits included): [batch, gen_z_features].
  const float* last_gen_z() const { return workspace_.gen_z.data(); }

  // Called after gen_z and after every module of generator.layers; an empty function removes it.
  void set_activation_hook(BigGanActivationHook hook) { hook_ = std::move(hook); }

 private:
  struct Workspace {
    std::vector<float> embed, conditions, gen_z;
    std::vector<float> main_a, main_b, inner_a, inner_b;
    std::vector<float> gain, bias, mean, var;
    std::vector<float> theta, phi_full, phi, g_full, g, attention, attention_g, attention_out;
    std::vector<std::int32_t> pool_argmax;
    std::vector<float> conv_workspace;
  };
  void check_inputs(int batch, const float* class_vectors) const;
  void compute_conditions(int batch, const float* latents, const float* layer_latents, const float* class_vectors);
  const float* condition_for(int latent_index, int batch) const;
  void run_gen_z(int batch, const float* condition);
  void run_block(int block, int batch, const float* condition, const TruncationStatistics& statistics, float*& current,
                 float*& spare);
  void run_attention(int batch, float* activations);
  void run_output(int batch, const float* activations, float* spare, const TruncationStatistics& statistics,
                  float* images);
  void conditional_norm_relu(const BigGanNormWeights& norm, int batch, int spatial, const float* condition,
                             const TruncationStatistics& statistics, const float* input, float* output);
  void conv(const BigGanConvWeights& conv, int batch, int resolution, const float* input, float* output);
  void call_hook(const std::string& name, float* data, int batch, int channels, int height, int width);

  BigGanWeights weights_;
  std::vector<std::string> module_names_;  // "generator.layers.<i>" by module index
  std::string gen_z_name_ = "generator.gen_z";
  Workspace workspace_;
  int reserved_batch_ = 0;
  int condition_count_ = 0;  // conditions in workspace_.conditions for the current forward
  BigGanActivationHook hook_;
};

}  // namespace genint
