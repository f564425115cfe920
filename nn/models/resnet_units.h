// Internal building blocks of nn/models/resnet: the state registry (torchvision names, in state_dict order)
// and ConvBatchNorm, a bias-free conv followed by BatchNorm2d and an optional ReLU, with its backward.
#pragma once

#include <string>
#include <vector>

#include "nn/models/resnet.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/op_target.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint::resnet_detail {

// Allocates the model's persistent tensors (zeroed, on the model's device) and records them under their
// state_dict names.
class StateRegistry {
 public:
  StateRegistry(std::vector<ResNetTensor>& state, Device device) : state_(state), device_(device) {}
  Device device() const { return device_; }
  // A trainable tensor and its gradient.
  ResNetTensor add_parameter(const std::string& name, const Shape& shape);
  // A running statistic (no gradient).
  Tensor add_buffer(const std::string& name, const Shape& shape);

 private:
  std::vector<ResNetTensor>& state_;
  Device device_;
};

struct ConvSpec {
  int in_channels = 0, out_channels = 0, kernel = 1, stride = 1;
};

// conv (no bias, padding kernel/2) → BatchNorm2d(eps 1e-5, momentum 0.1) → ReLU when `relu`.
// The forward keeps views of its input and outputs (arena memory) for the backward of the same step.
class ConvBatchNorm {
 public:
  ConvBatchNorm(StateRegistry& registry, const std::string& conv_name, const std::string& norm_name,
                const ConvSpec& spec, bool relu, const ResNetConfig& config);

  // Output allocated from `arena`; the ReLU (if any) runs in place on the normalised values.
  Tensor forward(const Tensor& input, BatchNormMode mode, Arena& arena);
  // output_grad: gradient of this unit's output (read only). input_grad: written, or undefined when the input
  // needs no gradient (the stem). Scratch comes from `arena` and is given back before returning.
  void backward(const Tensor& output_grad, const Tensor& input_grad, Arena& arena);
  const Tensor& output() const { return output_; }
  int out_channels() const { return spec_.out_channels; }

 private:
  const Tensor& conv_weight() const;  // what the convolutions read: the bf16 copy, or the float32 parameter
  BatchNormInput norm_input() const;  // the conv output as the batch norm reads it
  ConvSpec spec_;
  bool relu_;
  OpTarget target_;
  Conv2dParams params_;
  ResNetTensor conv_weight_, norm_weight_, norm_bias_;
  // CUDA bf16 mode: the conv weight in bf16, converted from the float32 master once per forward (the step's
  // forward and backward both use it), and the conv output stored in bf16 for the batch norm to read.
  bool bf16_storage_ = false;
  Tensor conv_weight_bf16_;
  Tensor running_mean_, running_var_;
  Tensor saved_mean_, saved_inverse_std_;  // batch statistics of the last train-mode forward
  Tensor input_, conv_output_, output_;    // views into the step's arena
};

// torchvision's BasicBlock (two 3x3 convs, expansion 1) or Bottleneck (1x1, 3x3 with the stride, 1x1 to
// 4·planes), with downsample = conv1x1(stride) + BN when the shape changes; out = relu(main + identity).
class ResidualBlock {
 public:
  ResidualBlock(StateRegistry& registry, const std::string& prefix, bool bottleneck, int in_channels, int planes,
                int stride, const ResNetConfig& config);
  Tensor forward(const Tensor& input, BatchNormMode mode, Arena& arena);
  // output_grad is overwritten (it becomes the gradient after the final ReLU); input_grad is written.
  void backward(const Tensor& output_grad, const Tensor& input_grad, Arena& arena);
  int out_channels() const { return units_.back().out_channels(); }
  const Shape& output_shape() const { return output_.shape(); }

 private:
  std::vector<ConvBatchNorm> units_;       // main branch; the last one has no ReLU
  std::vector<ConvBatchNorm> downsample_;  // empty or one unit
  OpTarget target_;
  Tensor input_, output_;
};

}  // namespace genint::resnet_detail
