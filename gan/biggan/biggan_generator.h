// BigGAN-deep generator forward, held to pytorch-pretrained-biggan: (z, class vector, truncation) → images in
// [−1, 1], with per-layer latents, gen_z access and activation hooks. One forward, on the CPU or a CUDA stream.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gan/biggan/biggan_config.h"
#include "gan/biggan/biggan_truncation.h"
#include "gan/biggan/biggan_weights.h"
#include "nn/core/device.h"
#include "nn/ops/op_target.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint {

struct Conv2dParams;

// An activation as the generator just produced it; `data` may be edited in place (like a PyTorch forward hook
// returning a changed output) and the forward continues from the edited values. `data` is host memory on every
// device: on CUDA the activation is copied to the host for the hook and back after it (only while a hook is set).
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

// How the products of convolutions, linears and attention matmuls are formed on CUDA. The CPU runs float32.
enum class BigGanPrecision {
  Float32,
  Tf32,  // TF32 tensor cores (10-bit mantissa products, ~1e-3 relative per layer)
  // bf16: conv weights converted once at load, the GenBlocks' inner activations kept in bf16 between layers,
  // cuDNN bf16 convolutions and cuBLAS bf16 GEMMs summing in float32 (~4e-3 relative per operand); the residual
  // stream, norms' statistics, softmax and tanh stay float32.
  Bf16
};

// Where the forward runs. Device::Cuda: on the CUDA device current when the generator is made; every later call
// must run with that device current (the generator's memory lives there).
struct BigGanBackend {
  Device device = Device::Cpu;
  void* stream = nullptr;  // CUDA: a cudaStream_t of that device; nullptr = the legacy default stream
  BigGanPrecision precision = BigGanPrecision::Float32;
};

// The weights where the forward runs (biggan_device_weights.h).
struct BigGanDeviceWeights;
struct BigGanDeviceConv;
struct BigGanDeviceNorm;

class BigGanGenerator {
 public:
  // On CUDA, uploads every conv, linear and norm weight once (the host copy keeps the embeddings, which run on
  // the host, and the statistics sets, interpolated per truncation).
  explicit BigGanGenerator(BigGanWeights weights, const BigGanBackend& backend = BigGanBackend{});
  // Loads a file written by tools/convert_biggan.py.
  static BigGanGenerator load(const std::string& path, const BigGanBackend& backend = BigGanBackend{});
  ~BigGanGenerator();
  BigGanGenerator(BigGanGenerator&&) noexcept;
  BigGanGenerator& operator=(BigGanGenerator&&) = delete;
  BigGanGenerator(const BigGanGenerator&) = delete;  // device views point into this generator's weights
  BigGanGenerator& operator=(const BigGanGenerator&) = delete;

  const BigGanConfig& config() const { return weights_.config; }
  int resolution() const { return weights_.config.output_dim; }
  const BigGanBackend& backend() const { return backend_; }

  // Sizes every buffer (and, on CUDA, chooses the cuDNN algorithms) for batches up to `max_batch` now; a larger
  // batch later grows them once, a smaller one reuses them.
  void reserve(int max_batch);
  int reserved_batch() const { return reserved_batch_; }
  std::size_t workspace_bytes() const;

  // images: [batch, 3, resolution, resolution] float32 in [−1, 1] on the generator's device (CUDA: returns when
  // the work is queued on the stream). Returns true when the images are written. `stop_requested` (optional, e.g.
  // a loader's stop flag) is read before every module after gen_z and before the output head: a whole forward at
  // 128 px takes seconds on the CPU, and a loader being destroyed must not wait for it. When it reads true the
  // forward returns false at once and `images` is left unwritten.
  bool forward(int batch, const BigGanInputs& inputs, float* images, const std::atomic<bool>* stop_requested = nullptr);
  // The same into host memory (on CUDA: the forward, then a copy on the stream that returns when the images are in).
  bool forward_to_host(int batch, const BigGanInputs& inputs, float* host_images,
                       const std::atomic<bool>* stop_requested = nullptr);
  // Only embedding and gen_z (the layer GANSpace's PCA samples): host output [batch, config().gen_z_features()].
  void forward_gen_z(int batch, const float* latents, const float* class_vectors, float* gen_z_output);
  // gen_z's output of the last forward (hook edits included), on the generator's device: [batch, gen_z_features].
  const float* last_gen_z() const { return workspace_.gen_z.data<float>(); }
  // Multiply-adds × 2 of the last forward's convolutions, linears and attention matmuls, counted from the shapes
  // that ran (normalisation, activations and copies left out): the FLOPs a benchmark's rate is divided by.
  double last_forward_flops() const { return forward_flops_; }

  // Called after gen_z and after every module of generator.layers; an empty function removes it.
  void set_activation_hook(BigGanActivationHook hook) { hook_ = std::move(hook); }

 private:
  struct Workspace {  // sized by reserve() for the reserved batch
    Tensor conditions, gen_z, main_a, main_b, inner_a, inner_b, gain, bias;
    Tensor theta, phi_full, phi, g_full, g, attention, attention_g, attention_out, pool_argmax, images;
  };
  void check_inputs(int batch, const float* class_vectors) const;
  void fit_conv_scratch(int batch);
  Conv2dParams conv_params() const;
  void prepare_conditions(int batch, const float* latents, const float* layer_latents, const float* class_vectors);
  void prepare_statistics(double truncation);
  const float* condition_for(int latent_index, int batch) const;
  void run_gen_z(int batch, const float* condition);
  void run_block(int block, int batch, const float* condition, float*& current, float*& spare);
  void upsample(int planes, int resolution, const Tensor& input, const Tensor& output);
  void run_attention(int batch, float* activations);
  void run_output(int batch, const float* activations, float* spare, float* images);
  void conditional_norm_relu(const BigGanDeviceNorm& norm, int batch, int spatial, const float* condition,
                             const Tensor& input, const Tensor& output);
  void conv(const BigGanDeviceConv& conv, int batch, int resolution, const Tensor& input, const Tensor& output);
  void linear(int rows, int in_features, int out_features, const float* input, const Tensor& weight, const float* bias,
              float* output);
  void call_hook(const std::string& name, float* data, int batch, int channels, int height, int width);

  BigGanWeights weights_;  // host copy; CPU device weights are views into it
  BigGanBackend backend_;
  OpTarget target_;
  std::unique_ptr<BigGanDeviceWeights> device_;
  std::vector<std::string> module_names_;  // "generator.layers.<i>" by module index
  std::string gen_z_name_ = "generator.gen_z";
  Workspace workspace_;
  Tensor statistics_;  // every norm's interpolated means, then their vars (views of host_statistics_ on the CPU)
  Tensor ones_;        // widest-norm ones: the bias that makes a linear compute 1 + scale(condition)
  std::unique_ptr<Arena> conv_scratch_;  // every convolution's workspace, on the target
  int scratch_batch_ = 0;                // the batch size the conv scratch was last sized for
  std::vector<float> host_embed_, host_conditions_, host_statistics_, host_activation_;
  double statistics_truncation_ = -1.0;  // the truncation the statistics buffers hold
  int reserved_batch_ = 0;
  int condition_count_ = 0;  // conditions for the current forward
  double forward_flops_ = 0.0;
  BigGanActivationHook hook_;
};

}  // namespace genint
