// BigGAN-deep generator forward on CUDA: weights uploaded once, a per-batch device workspace, the CPU
// generator's layer order through the ops' CUDA twins (cuDNN convs, cuBLAS linears and attention matmuls).
#pragma once

#include <cstdint>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/linear.h"
#include "nn/tensor/tensor.h"

namespace genint {

struct BigGanCudaOptions {
  void* stream = nullptr;   // a cudaStream_t; nullptr = default stream
  bool allow_tf32 = false;  // TF32 tensor cores in convs, linears and attention (~1e-3 relative per layer)
  // bf16 in convs, linears and attention (~4e-3 relative per operand): cuDNN bf16 convolutions and cuBLAS bf16
  // tensor-core GEMMs, both summing in float32; activations, norms, softmax and tanh stay float32.
  bool bf16 = false;
};

class BigGanCudaGenerator {
 public:
  // Uploads every conv and linear weight to the current CUDA device once. The host copy is kept for the
  // embeddings (the condition vectors are built on the host) and the statistics sets (interpolated per truncation).
  explicit BigGanCudaGenerator(BigGanWeights weights, const BigGanCudaOptions& options = BigGanCudaOptions{});
  BigGanCudaGenerator(const BigGanCudaGenerator&) = delete;  // host_norms_ points into weights_
  BigGanCudaGenerator& operator=(const BigGanCudaGenerator&) = delete;

  const BigGanConfig& config() const { return weights_.config; }
  int resolution() const { return weights_.config.output_dim; }

  // Sizes the device workspace (and chooses the cuDNN algorithms) for batches up to `max_batch`; a larger
  // batch later grows it once.
  void reserve(int max_batch);
  int reserved_batch() const { return reserved_batch_; }
  std::size_t workspace_bytes() const;

  // inputs are host arrays as for BigGanGenerator::forward; device_images: [batch, 3, resolution, resolution]
  // float32 on the device. Returns when the work is queued on the stream.
  void forward(int batch, const BigGanInputs& inputs, float* device_images);
  // The same, then a blocking copy of the images into host memory.
  void forward_to_host(int batch, const BigGanInputs& inputs, float* host_images);
  // Multiply-adds × 2 of the last forward's convolutions, linears and attention matmuls, counted from the shapes
  // that ran (normalisation, activations and copies left out): the FLOPs a benchmark's rate is divided by.
  double last_forward_flops() const { return forward_flops_; }

 private:
  struct DeviceConv {
    Conv2dShape shape;  // batch and resolution set per call
    Tensor weight, bias;
  };
  struct DeviceNorm {
    int channels = 0;
    Tensor scale, offset;                // conditional
    Tensor weight, bias;                 // unconditional
    std::int64_t statistics_offset = 0;  // into the statistics buffers
  };
  struct DeviceBlock {
    DeviceNorm norms[4];
    DeviceConv convs[4];
  };
  struct Workspace {
    Tensor conditions, gen_z, main_a, main_b, inner_a, inner_b, gain, bias, means, vars;
    Tensor theta, phi_full, phi, g_full, g, attention, attention_g, attention_out, pool_argmax, conv_workspace;
    Tensor images;  // forward_to_host's device images
  };

  DeviceConv upload_conv(const BigGanConvWeights& conv) const;
  // Largest cuDNN workspace any convolution needs at this batch size (chooses and caches the algorithms).
  std::size_t conv_workspace_bytes(int batch) const;
  // Grows the conv workspace when this batch size's algorithms need more than the reserved batch's did.
  void fit_conv_workspace(int batch);
  DeviceNorm upload_norm(const BigGanNormWeights& norm);
  void upload_conditions(int batch, const BigGanInputs& inputs);
  void upload_statistics(double truncation);
  const float* condition_for(int latent_index, int batch) const;
  void conv(const DeviceConv& conv, int batch, int resolution, const float* input, float* output);
  // linear_forward_cuda with this generator's stream and precision, counted in forward_flops_.
  void linear(const LinearShape& shape, const float* input, const float* weight, const float* bias, float* output);
  void conditional_norm_relu(const DeviceNorm& norm, int batch, int spatial, const float* condition, const float* input,
                             float* output);
  void run_block(int block, int batch, const float* condition, float*& current, float*& spare);
  void run_attention(int batch, float* activations);
  void run_output(int batch, const float* activations, float* spare, float* images);

  BigGanWeights weights_;  // host copy
  BigGanCudaOptions options_;
  Conv2dCudaOptions conv_options_;
  Tensor gen_z_weight_, gen_z_bias_;
  std::vector<DeviceBlock> blocks_;
  DeviceConv theta_, phi_, g_, o_, to_rgb_;
  DeviceNorm final_norm_;
  std::vector<const BigGanNormWeights*> host_norms_;  // in statistics-buffer order
  std::int64_t statistics_channels_ = 0;
  std::vector<float> host_means_, host_vars_, host_conditions_, host_embed_;
  double uploaded_truncation_ = -1.0;
  int condition_count_ = 1;
  Workspace workspace_;
  int reserved_batch_ = 0;
  int conv_workspace_batch_ = 0;  // the batch size the conv workspace was last checked for
  double forward_flops_ = 0.0;
};

// pytorch-pretrained-biggan's biggan-deep-256 config (output 256, z 128, channel width 128, 1000 classes,
// 12 GenBlocks, attention before block 8), for benchmarks without a weight file.
BigGanConfig biggan_deep_256_config();
// Weights of every shape `config` implies, filled from a seeded generator: uniform ±1/sqrt(fan_in) for convs
// and linears, small conditional gains, statistics sets with mean 0 and var 1 — activations stay bounded.
// For throughput measurement only: the images mean nothing.
BigGanWeights random_biggan_weights(const BigGanConfig& config, std::uint64_t seed);

}  // namespace genint
