// ResNet-18/34/50/101/152 as torchvision 0.14 builds them (v1.5: the stride on the 3x3 conv) and He et al.'s CIFAR
// ResNet-20/32/56, with torchvision-style state_dict names, forward (train/eval BN) and backward, CPU or CUDA.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/core/device.h"
#include "nn/ops/cross_entropy.h"
#include "nn/ops/normalize_images.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint {

// The architectures ResNetConfig accepts, in the order --help lists them:
//   resnet18, resnet34, resnet50, resnet101, resnet152: torchvision's ImageNet ResNets (7x7/2 stem, 3x3/2 max pool,
//     four stages of 64/128/256/512 planes, BasicBlock or Bottleneck).
//   resnet20, resnet32, resnet56: He et al. 2016 §4.2's CIFAR ResNets (6n+2 layers, n = 3, 5, 9): conv1 3x3 stride 1
//     3→16, bn1, ReLU, no max pool; layer1..layer3 of n BasicBlocks with 16/32/64 channels, stride 2 at the first
//     block of layer2 and layer3; global average pool; fc 64→num_classes. Built by the same blocks, ops and
//     dispatch as the torchvision ones. Where the shape changes the shortcut is option B, a 1x1 stride-2 conv + batch
//     norm named downsample.0/1 as in torchvision; He et al.'s CIFAR nets used option A (identity with zero-padded
//     channels, no parameters). B because it reuses the existing conv/BN units and their CUDA paths, and the state
//     reads like a torchvision model (a PyTorch rebuild from torchvision's BasicBlock has the same names); it costs
//     2,752 parameters (two 1x1 convs + BNs): 272,474 vs 269,722 for resnet20 at 10 classes (+1.0 %), +0.6 % for
//     resnet32, +0.3 % for resnet56, and ~0.6 % more multiply-adds (40.8 M per 32x32 image for resnet20).
const std::vector<std::string>& resnet_architectures();
// True for resnet20/32/56 (the CIFAR stem is part of the architecture).
bool is_cifar_resnet(const std::string& architecture);

struct ResNetConfig {
  std::string architecture = "resnet18";  // one of resnet_architectures()
  int num_classes = 1000;
  // For small images (e.g. 32x32): a 3x3 stride-1 stem conv and no max pool. Same names, conv1 is [64, 3, 3, 3].
  // The ImageNet architectures only: the CIFAR ones always have their 3x3 stride-1 stem, and refuse the flag rather
  // than ignore it (a config that says small_input_stem describes a 64-channel stem they do not have).
  bool small_input_stem = false;
  // Where parameters, gradients, running statistics and activations live. Device::Cuda: cuDNN convs, cuBLAS
  // fc, CUDA kernels for the rest, and every copy of a step (uploads, the loss) queued on `stream` (a
  // cudaStream_t; nullptr = default stream). The state transfers (initialize_kaiming, load_safetensors,
  // save_safetensors, copy_state_from) are blocking copies on the legacy default stream, which a non-blocking
  // stream is not ordered with: call synchronize() before save/copy_state_from, cuda_synchronize() after load.
  Device device = Device::Cpu;
  // CUDA only: TF32 tensor cores in the convolutions and the fc (10-bit mantissa products, ~1e-3 relative).
  bool allow_tf32 = false;
  // Every convolution in bf16: on CUDA cuDNN bf16 tensors with float accumulation (conv2d's bf16 mode), the conv
  // weights converted from their float32 masters once per forward and each conv output stored in bf16 for its batch
  // norm; on the CPU its twin (the same roundings around float32 convolutions; for tests). Batch norm arithmetic,
  // ReLU, pooling, the fc, the loss, gradients and the parameters (the SGD master weights) stay float32.
  bool bf16 = false;
  // CUDA only: only convolution algorithms cuDNN reports deterministic (bit-identical steps); may be slower.
  bool deterministic = false;
  void* stream = nullptr;
  void validate() const;
};

// One entry of the model's state, named as in torchvision's state_dict. Parameters carry the tensor their
// gradient is written to; batch-norm running statistics are buffers (grad undefined).
struct ResNetTensor {
  std::string name;
  Tensor value;
  Tensor grad;
  bool is_parameter = true;
};

enum class BatchNormMode { Train, Eval };

// The loss a backward leaves on the model's device: views into the step's arena, valid until the next forward.
struct DeviceLoss {
  Tensor sample_losses;  // [batch] float32: the unweighted CE_i (Mixup's λ-mixed one), e.g. for per-source reports
  Tensor loss;           // [1] float32: Σ_i sample_weights[i]·CE_i, the loss the gradients are of
};

class ResNetBody;

class ResNet {
 public:
  // Allocates every parameter, gradient and running statistic once; weights are then initialised as
  // torchvision does (initialize_kaiming) with seed 0. Call load_safetensors to use trained weights.
  explicit ResNet(const ResNetConfig& config);
  ~ResNet();
  ResNet(const ResNet&) = delete;
  ResNet& operator=(const ResNet&) = delete;

  // torchvision's init, seeded: convs kaiming-normal (fan_out, relu), batch norm weight 1 / bias 0, running
  // mean 0 / var 1, fc as nn.Linear's default (uniform ±1/sqrt(in_features)). Resets num_batches_tracked.
  void initialize_kaiming(std::uint64_t seed);

  // images: [batch, 3, height, width] float32 on the model's device. Returns the logits [batch, num_classes], a view
  // into the model's arena valid until the next forward. Train mode normalises with batch statistics and updates the
  // running statistics (momentum 0.1), as torch's BatchNorm2d in train().
  Tensor forward(const Tensor& images, BatchNormMode mode);
  // Cross-entropy of the last forward's logits (which must have run in Train mode) and the gradient of every
  // parameter (written, not accumulated). sample_weights null: the batch mean, as nn.CrossEntropyLoss();
  // else loss = Σ_i sample_weights[i]·CE_i. labels and sample_weights hold `count` = batch values.
  // labels and sample_weights are host arrays on every device (CUDA: uploaded into the step's arena).
  float backward(const std::int32_t* labels, int count, const float* sample_weights = nullptr);
  // The same with labels and sample weights already on the model's device (host memory for a CPU model), e.g.
  // a loader's device batch: nothing is copied, and on CUDA the work is queued on config().stream and this
  // returns without waiting. Labels are not checked here (device memory): check the host copy with
  // check_class_labels; on CUDA a label out of range makes the loss NaN (cross_entropy_forward_cuda).
  // mixup: Mixup's partner labels and λ (loader/genint.h's genint_batch_extras), on the model's device like the
  // labels; the loss is then Σ_i w_i·(λ_i·CE(y_i) + (1 − λ_i)·CE(y′_i)). Default: none (plain labels).
  DeviceLoss backward_queued(const std::int32_t* labels, const float* sample_weights, int count,
                             const MixupTargets& mixup = {});
  // Blocks until the model's queued work is done: its stream on CUDA (no other stream); nothing on the CPU.
  void synchronize() const;

  // Host batch → the model's input buffer on its device ([batch, 3, height, width] float32), ready for forward.
  // The buffer is allocated for the largest batch seen and reused; the view is valid until the next upload.
  // From float32 CHW planes (already normalised):
  Tensor upload_images(const float* images, int batch, int height, int width);
  // From uint8 HWC pixels, normalised on the device (normalize_images_cuda, or its CPU twin on the CPU):
  Tensor upload_images(const std::uint8_t* images, int batch, int height, int width,
                       const ImageNormalization& normalization = ImageNormalization{});
  // From uint8 HWC pixels already on the model's device (host memory for a CPU model), e.g. a loader's device
  // batch: normalised into the input buffer, on CUDA queued on config().stream.
  Tensor normalize_device_pixels(const std::uint8_t* pixels, int batch, int height, int width,
                                 const ImageNormalization& normalization = ImageNormalization{});
  // Copies every state tensor (parameters and running statistics) and num_batches_tracked from a model of the
  // same architecture on any device, e.g. to hold a CUDA model to its CPU twin.
  void copy_state_from(const ResNet& other);

  // Every tensor of the state_dict (num_batches_tracked excepted) in torchvision's order.
  const std::vector<ResNetTensor>& state() const { return state_; }
  // The trainable ones only (same order as torch's named_parameters()), e.g. for Sgd::add_parameter.
  const std::vector<ResNetTensor>& parameters() const { return parameters_; }
  const ResNetTensor& find(const std::string& name) const;
  std::int64_t num_batches_tracked() const { return num_batches_tracked_; }

  // Loads a safetensors file (e.g. from tools/convert_torchvision.py). Every state name must be present with its
  // exact shape and no unknown tensor may be present (num_batches_tracked is read when there); the first
  // mismatch throws genint::Error naming the file and the tensor. F32, F16 and BF16 files are accepted.
  void load_safetensors(const std::string& path);
  // Writes the state (float32) plus num_batches_tracked (int64) with metadata architecture, num_classes and
  // source = "genint".
  void save_safetensors(const std::string& path) const;

  const ResNetConfig& config() const { return config_; }
  Device device() const { return config_.device; }
  // The arena that holds a step's activations and scratch (for memory checks).
  const Arena& arena() const { return arena_; }

 private:
  ResNetConfig config_;
  std::unique_ptr<ResNetBody> body_;
  std::vector<ResNetTensor> state_;
  std::vector<ResNetTensor> parameters_;
  Arena arena_;
  Tensor input_images_, input_pixels_;  // upload_images buffers, on the model's device, grown to the largest batch
  std::int64_t num_batches_tracked_ = 0;
  bool last_forward_trained_ = false;
  int last_batch_ = 0;
};

}  // namespace genint
