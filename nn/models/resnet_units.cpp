// ConvBatchNorm and ResidualBlock: forward with saved views, backward that writes every parameter gradient.
// Each backward takes its temporaries from the step's arena and rewinds it, so a block's scratch is reused.
#include "nn/models/resnet_units.h"

#include <utility>

#include "nn/core/error.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/relu.h"
#include "nn/ops/residual_add.h"

namespace genint::resnet_detail {
namespace {

// torch.nn.BatchNorm2d defaults, which torchvision's ResNet keeps.
constexpr float kBatchNormEps = 1e-5f;
constexpr float kBatchNormMomentum = 0.1f;

BatchNormShape batch_norm_shape(const Tensor& activation) {
  return BatchNormShape{static_cast<int>(activation.size(0)), static_cast<int>(activation.size(1)),
                        static_cast<int>(activation.size(2) * activation.size(3))};
}

// Device scratch of the batch norm's cross-block reduction (none on the CPU), inside the caller's ArenaScope.
void* batch_norm_workspace(const OpTarget& target, const BatchNormShape& shape, Arena& arena) {
  const std::size_t bytes = batch_norm_workspace_bytes(target, shape);
  return bytes == 0 ? nullptr : arena.allocate_bytes(bytes);
}

}  // namespace

ResNetTensor StateRegistry::add_parameter(const std::string& name, const Shape& shape) {
  ResNetTensor entry{name, Tensor::zeros(shape, DType::Float32, device_), Tensor::zeros(shape, DType::Float32, device_),
                     true};
  state_.push_back(entry);
  return entry;
}

Tensor StateRegistry::add_buffer(const std::string& name, const Shape& shape) {
  ResNetTensor entry{name, Tensor::zeros(shape, DType::Float32, device_), Tensor{}, false};
  state_.push_back(entry);
  return entry.value;
}

ConvBatchNorm::ConvBatchNorm(StateRegistry& registry, const std::string& conv_name, const std::string& norm_name,
                             const ConvSpec& spec, bool relu, const ResNetConfig& config)
    : spec_(spec), relu_(relu), target_{config.device, config.stream} {
  params_.stride = spec.stride;
  params_.padding = spec.kernel / 2;
  params_.allow_tf32 = config.allow_tf32;
  params_.bf16 = config.bf16;
  params_.deterministic = config.deterministic;
  params_.stream = config.stream;
  const std::int64_t channels = spec.out_channels;
  conv_weight_ =
      registry.add_parameter(conv_name + ".weight", Shape{channels, spec.in_channels, spec.kernel, spec.kernel});
  norm_weight_ = registry.add_parameter(norm_name + ".weight", Shape{channels});
  norm_bias_ = registry.add_parameter(norm_name + ".bias", Shape{channels});
  running_mean_ = registry.add_buffer(norm_name + ".running_mean", Shape{channels});
  running_var_ = registry.add_buffer(norm_name + ".running_var", Shape{channels});
  bf16_storage_ = config.bf16 && config.device == Device::Cuda;
  if (bf16_storage_) conv_weight_bf16_ = Tensor::zeros(conv_weight_.value.shape(), DType::BFloat16, config.device);
  saved_mean_ = Tensor::zeros(Shape{channels}, DType::Float32, config.device);
  saved_inverse_std_ = Tensor::zeros(Shape{channels}, DType::Float32, config.device);
}

Tensor ConvBatchNorm::forward(const Tensor& input, BatchNormMode mode, Arena& arena) {
  GENINT_CHECK(input.rank() == 4 && input.size(1) == spec_.in_channels,
               "resnet: conv " + conv_weight_.name + " expects " + std::to_string(spec_.in_channels) +
                   " input channels, got shape " + input.shape().to_string());
  input_ = input;
  const Conv2dShape shape = conv2d_shape(input, conv_weight_.value, params_);
  const Shape output_shape{shape.batch, shape.out_channels, shape.out_height(), shape.out_width()};
  conv_output_ = arena.allocate(output_shape, bf16_storage_ ? DType::BFloat16 : DType::Float32);
  output_ = arena.allocate(output_shape, DType::Float32);
  if (bf16_storage_)
    float_to_bfloat16(target_, conv_weight_.value.data<float>(), conv_weight_.value.element_count(),
                      conv_weight_bf16_.data<std::uint16_t>());
  conv2d_forward(input, conv_weight(), Tensor{}, conv_output_, params_, arena);
  const BatchNormShape norm_shape = batch_norm_shape(conv_output_);
  if (mode == BatchNormMode::Train) {
    const ArenaScope scope(arena);  // the workspace only; the views above stay
    batch_norm_forward_train(target_, norm_input(), norm_shape, norm_weight_.value.data<float>(),
                             norm_bias_.value.data<float>(), kBatchNormEps, kBatchNormMomentum,
                             running_mean_.data<float>(), running_var_.data<float>(), output_.data<float>(),
                             saved_mean_.data<float>(), saved_inverse_std_.data<float>(),
                             batch_norm_workspace(target_, norm_shape, arena), relu_);
  } else {
    batch_norm_forward_eval(target_, norm_input(), norm_shape, norm_weight_.value.data<float>(),
                            norm_bias_.value.data<float>(), running_mean_.data<float>(), running_var_.data<float>(),
                            kBatchNormEps, output_.data<float>(), relu_);
  }
  return output_;
}

void ConvBatchNorm::backward(const Tensor& output_grad, const Tensor& input_grad, Arena& arena) {
  output_grad.expect("resnet unit output_grad", output_.shape(), DType::Float32, target_.device);
  const ArenaScope scope(arena);
  const Tensor conv_output_grad = arena.allocate(conv_output_.shape(), DType::Float32);
  const BatchNormShape norm_shape = batch_norm_shape(conv_output_);
  void* workspace = batch_norm_workspace(target_, norm_shape, arena);
  if (relu_) {  // the ReLU's mask and the batch norm's backward in one pass (output_ is the ReLU's output)
    batch_norm_relu_backward(target_, output_grad.data<float>(), output_.data<float>(), norm_input(), norm_shape,
                             norm_weight_.value.data<float>(), saved_mean_.data<float>(),
                             saved_inverse_std_.data<float>(), conv_output_grad.data<float>(),
                             norm_weight_.grad.data<float>(), norm_bias_.grad.data<float>(), workspace);
  } else {
    batch_norm_backward(target_, output_grad.data<float>(), norm_input(), norm_shape, norm_weight_.value.data<float>(),
                        saved_mean_.data<float>(), saved_inverse_std_.data<float>(), conv_output_grad.data<float>(),
                        norm_weight_.grad.data<float>(), norm_bias_.grad.data<float>(), workspace);
  }
  conv2d_backward(input_, conv_weight(), conv_output_grad, input_grad, conv_weight_.grad, Tensor{}, params_, arena);
}

const Tensor& ConvBatchNorm::conv_weight() const {
  return bf16_storage_ ? conv_weight_bf16_ : conv_weight_.value;
}

BatchNormInput ConvBatchNorm::norm_input() const {
  if (bf16_storage_) return conv_output_.data<std::uint16_t>();
  return conv_output_.data<float>();
}

ResidualBlock::ResidualBlock(StateRegistry& registry, const std::string& prefix, bool bottleneck, int in_channels,
                             int planes, int stride, const ResNetConfig& config)
    : target_{config.device, config.stream} {
  const int out_channels = bottleneck ? planes * 4 : planes;
  if (bottleneck) {
    units_.emplace_back(registry, prefix + "conv1", prefix + "bn1", ConvSpec{in_channels, planes, 1, 1}, true, config);
    units_.emplace_back(registry, prefix + "conv2", prefix + "bn2", ConvSpec{planes, planes, 3, stride}, true, config);
    units_.emplace_back(registry, prefix + "conv3", prefix + "bn3", ConvSpec{planes, out_channels, 1, 1}, false,
                        config);
  } else {
    units_.emplace_back(registry, prefix + "conv1", prefix + "bn1", ConvSpec{in_channels, planes, 3, stride}, true,
                        config);
    units_.emplace_back(registry, prefix + "conv2", prefix + "bn2", ConvSpec{planes, planes, 3, 1}, false, config);
  }
  if (stride != 1 || in_channels != out_channels) {
    downsample_.emplace_back(registry, prefix + "downsample.0", prefix + "downsample.1",
                             ConvSpec{in_channels, out_channels, 1, stride}, false, config);
  }
}

Tensor ResidualBlock::forward(const Tensor& input, BatchNormMode mode, Arena& arena) {
  input_ = input;
  const Tensor identity = downsample_.empty() ? input : downsample_.front().forward(input, mode, arena);
  Tensor activation = input;
  for (ConvBatchNorm& unit : units_) activation = unit.forward(activation, mode, arena);
  // The last unit's output becomes the block's output: add the identity and apply the ReLU in place.
  residual_add_forward(target_, activation.data<float>(), identity.data<float>(), activation.element_count(),
                       activation.data<float>());
  relu_forward(target_, activation.data<float>(), activation.element_count(), activation.data<float>());
  output_ = activation;
  return output_;
}

void ResidualBlock::backward(const Tensor& output_grad, const Tensor& input_grad, Arena& arena) {
  output_grad.expect("resnet block output_grad", output_.shape(), DType::Float32, target_.device);
  input_grad.expect("resnet block input_grad", input_.shape(), DType::Float32, target_.device);
  relu_backward(target_, output_grad.data<float>(), output_.data<float>(), output_.element_count(),
                output_grad.data<float>());
  // The identity branch hands the gradient on unchanged; the main branch's gradient is added to it.
  if (downsample_.empty()) {
    // The backward of a residual add hands its gradient to the operand: exactly a copy, queued on the stream.
    residual_add_backward(target_, output_grad.data<float>(), output_grad.element_count(), input_grad.data<float>(),
                          nullptr);
  } else {
    downsample_.front().backward(output_grad, input_grad, arena);
  }
  const ArenaScope scope(arena);
  Tensor gradient = output_grad;
  for (std::size_t index = units_.size(); index-- > 1;) {
    const Tensor unit_input_grad = arena.allocate(units_[index - 1].output().shape(), DType::Float32);
    units_[index].backward(gradient, unit_input_grad, arena);
    gradient = unit_input_grad;
  }
  const Tensor first_input_grad = arena.allocate(input_.shape(), DType::Float32);
  units_.front().backward(gradient, first_input_grad, arena);
  residual_add_forward(target_, input_grad.data<float>(), first_input_grad.data<float>(), input_grad.element_count(),
                       input_grad.data<float>());
}

}  // namespace genint::resnet_detail
