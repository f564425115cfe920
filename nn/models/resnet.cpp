// The ResNet model: a stem (torchvision's 7x7/2 conv, BN, ReLU, 3x3/2 max pool, or a 3x3/1 conv without the pool),
// three (CIFAR) or four stages of residual blocks, global average pool and fc; forward and backward through one Arena
// on the model's device (CPU, or CUDA with cuDNN/cuBLAS and the ops' kernels), host-batch upload.
#include "nn/models/resnet.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

#include "nn/core/cuda_stream.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/models/resnet_units.h"
#include "nn/ops/cross_entropy.h"
#include "nn/ops/global_average_pool.h"
#include "nn/ops/linear.h"
#include "nn/ops/max_pool.h"
#include "nn/ops/normalize_images.h"
#include "nn/ops/op_target.h"

namespace genint {

using resnet_detail::ConvBatchNorm;
using resnet_detail::ConvSpec;
using resnet_detail::ResidualBlock;
using resnet_detail::StateRegistry;

namespace {

struct ArchitectureLayout {
  bool bottleneck;
  bool cifar;               // He et al.'s CIFAR net: 3x3/1 stem to 16 channels, no max pool, 16/32/64 planes
  std::vector<int> blocks;  // residual blocks per stage; stage s has first_planes << s planes
  int first_planes() const { return cifar ? 16 : 64; }
};

const char* const kArchitectures[] = {"resnet18",  "resnet34", "resnet50", "resnet101",
                                      "resnet152", "resnet20", "resnet32", "resnet56"};

ArchitectureLayout layout_of(const std::string& architecture) {
  if (architecture == "resnet18") return {false, false, {2, 2, 2, 2}};
  if (architecture == "resnet34") return {false, false, {3, 4, 6, 3}};
  if (architecture == "resnet50") return {true, false, {3, 4, 6, 3}};
  if (architecture == "resnet101") return {true, false, {3, 4, 23, 3}};
  if (architecture == "resnet152") return {true, false, {3, 8, 36, 3}};
  // 6n + 2 layers: n BasicBlocks (two convs each) per stage, plus the stem conv and the fc.
  if (architecture == "resnet20") return {false, true, {3, 3, 3}};
  if (architecture == "resnet32") return {false, true, {5, 5, 5}};
  if (architecture == "resnet56") return {false, true, {9, 9, 9}};
  std::string known;
  for (const char* name : kArchitectures) known += (known.empty() ? "" : ", ") + std::string(name);
  throw Error("resnet: unknown architecture '" + architecture + "' (expected one of " + known + ")");
}

// A [shape] view of `buffer`, which is first replaced by a larger one when it cannot hold shape's elements.
Tensor grown_view(Tensor& buffer, const Shape& shape, DType dtype, Device device) {
  if (!buffer.owns_storage() || buffer.element_count() < shape.element_count())
    buffer = Tensor::empty(Shape{shape.element_count()}, dtype, device);
  return buffer.slice_rows(0, shape.element_count()).reshape(shape);
}

// The batch geometry every image entry point takes: a non-null batch of positive size.
void check_batch(const char* what, const void* pixels, int batch, int height, int width) {
  GENINT_CHECK(pixels != nullptr && batch > 0 && height > 0 && width > 0,
               std::string("resnet ") + what + ": need a non-null batch of positive size, got batch " +
                   std::to_string(batch) + ", " + std::to_string(height) + "x" + std::to_string(width));
}

// Host bytes into a tensor on the model's device: on CUDA a copy queued on the model's stream (so it is ordered
// with the step's kernels whatever kind of stream that is), on the CPU a plain copy.
void copy_from_host_on(const OpTarget& target, const Tensor& destination, const void* source, std::size_t bytes) {
  if (target.device == Device::Cuda) {
    GENINT_CHECK(bytes == destination.byte_count(), "resnet: copy of " + std::to_string(bytes) + " bytes into " +
                                                        std::to_string(destination.byte_count()));
    cuda_copy_async(destination.raw_data(), source, bytes, target.stream);
  } else {
    Tensor writable = destination;
    writable.copy_from_host(source, bytes);
  }
}

}  // namespace

const std::vector<std::string>& resnet_architectures() {
  static const std::vector<std::string> names(std::begin(kArchitectures), std::end(kArchitectures));
  return names;
}

bool is_cifar_resnet(const std::string& architecture) {
  return layout_of(architecture).cifar;
}

void ResNetConfig::validate() const {
  GENINT_CHECK(!(is_cifar_resnet(architecture) && small_input_stem),
               "resnet: small_input_stem applies to resnet18..resnet152; " + architecture +
                   " always has its CIFAR stem (3x3 stride-1 conv to 16 channels, no max pool)");
  GENINT_CHECK(num_classes > 0, "resnet: num_classes must be positive, got " + std::to_string(num_classes));
  GENINT_CHECK(device == Device::Cuda || (!allow_tf32 && !deterministic && stream == nullptr),
               "resnet: allow_tf32, deterministic and stream apply to Device::Cuda only");
}

// Everything between the images and the logits; it owns the layers, ResNet owns the state list and arena.
class ResNetBody {
 public:
  ResNetBody(const ResNetConfig& config, std::vector<ResNetTensor>& state);
  Tensor forward(const Tensor& images, BatchNormMode mode, Arena& arena);
  // Host labels (checked) and sample weights (null: 1/batch each) staged into the arena, then backward.
  DeviceLoss backward_from_host(const std::int32_t* labels, const float* sample_weights, Arena& arena);
  // Labels, weights and Mixup's targets on the target device; on CUDA everything is queued on the stream.
  DeviceLoss backward(const std::int32_t* labels, const float* sample_weights, const MixupTargets& mixup, Arena& arena);
  const OpTarget& target() const { return target_; }

 private:
  void backward_stem(const Tensor& pooled_grad, Arena& arena);

  OpTarget target_;
  MatmulPrecision fc_precision_;
  bool max_pool_;  // torchvision's ImageNet stem only
  int num_classes_;
  ConvBatchNorm stem_;
  std::vector<ResidualBlock> blocks_;
  ResNetTensor fc_weight_, fc_bias_;
  // Views of the current step.
  Tensor stem_output_, pooled_stem_, features_, averaged_, logits_;
  std::int32_t* max_pool_argmax_ = nullptr;
  std::int64_t largest_activation_ = 0;     // elements of the largest block input/output, for the backward buffers
  std::vector<float> host_sample_weights_;  // staging for the loss weights; grows to the largest batch once
};

ResNetBody::ResNetBody(const ResNetConfig& config, std::vector<ResNetTensor>& state)
    : target_{config.device, config.stream},
      fc_precision_{config.allow_tf32, false},
      max_pool_(!config.small_input_stem && !is_cifar_resnet(config.architecture)),
      num_classes_(config.num_classes),
      stem_([&]() -> ConvBatchNorm {
        StateRegistry registry(state, config.device);
        const ArchitectureLayout layout = layout_of(config.architecture);
        const ConvSpec spec = layout.cifar || config.small_input_stem ? ConvSpec{3, layout.first_planes(), 3, 1}
                                                                      : ConvSpec{3, layout.first_planes(), 7, 2};
        return ConvBatchNorm(registry, "conv1", "bn1", spec, true, config);
      }()) {
  StateRegistry registry(state, config.device);
  const ArchitectureLayout layout = layout_of(config.architecture);
  int in_channels = layout.first_planes();
  for (std::size_t stage = 0; stage < layout.blocks.size(); ++stage) {
    const int planes = layout.first_planes() << stage;
    for (int block = 0; block < layout.blocks[stage]; ++block) {
      const int stride = (stage > 0 && block == 0) ? 2 : 1;
      const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block) + ".";
      blocks_.emplace_back(registry, prefix, layout.bottleneck, in_channels, planes, stride, config);
      in_channels = blocks_.back().out_channels();
    }
  }
  fc_weight_ = registry.add_parameter("fc.weight", Shape{config.num_classes, in_channels});
  fc_bias_ = registry.add_parameter("fc.bias", Shape{config.num_classes});
}

Tensor ResNetBody::forward(const Tensor& images, BatchNormMode mode, Arena& arena) {
  stem_output_ = stem_.forward(images, mode, arena);
  largest_activation_ = stem_output_.element_count();
  Tensor activation = stem_output_;
  max_pool_argmax_ = nullptr;
  if (max_pool_) {
    const MaxPoolShape pool{static_cast<int>(activation.size(0)), static_cast<int>(activation.size(1)),
                            static_cast<int>(activation.size(2)), static_cast<int>(activation.size(3))};
    check_max_pool_shape(pool);
    pooled_stem_ =
        arena.allocate(Shape{pool.batch, pool.channels, pool.output_height(), pool.output_width()}, DType::Float32);
    max_pool_argmax_ =
        static_cast<std::int32_t*>(arena.allocate_bytes(pooled_stem_.byte_count()));  // one int32 per output
    max_pool_forward(target_, activation.data<float>(), pool, pooled_stem_.data<float>(), max_pool_argmax_);
    activation = pooled_stem_;
  }
  for (ResidualBlock& block : blocks_) {
    activation = block.forward(activation, mode, arena);
    largest_activation_ = std::max(largest_activation_, activation.element_count());
  }
  features_ = activation;
  const std::int64_t batch = features_.size(0), channels = features_.size(1);
  averaged_ = arena.allocate(Shape{batch, channels}, DType::Float32);
  global_average_pool_forward(target_, features_.data<float>(), batch * channels,
                              static_cast<int>(features_.size(2) * features_.size(3)), averaged_.data<float>());
  logits_ = arena.allocate(Shape{batch, num_classes_}, DType::Float32);
  linear_forward(averaged_, fc_weight_.value, fc_bias_.value, logits_, fc_precision_, target_.stream);
  return logits_;
}

DeviceLoss ResNetBody::backward_from_host(const std::int32_t* labels, const float* sample_weights, Arena& arena) {
  const int batch = static_cast<int>(logits_.size(0));
  check_class_labels(labels, batch, num_classes_);
  const auto batch_size = static_cast<std::size_t>(batch);
  if (host_sample_weights_.size() < batch_size) host_sample_weights_.resize(batch_size);
  for (std::size_t sample = 0; sample < batch_size; ++sample)
    host_sample_weights_[sample] =
        sample_weights != nullptr ? sample_weights[sample] : 1.0f / static_cast<float>(batch);
  // Labels and weights move to the step's arena on the model's device (a plain copy on the CPU). The labels are
  // int32: they travel as bytes in a tensor of 4-byte elements.
  const Tensor weights = arena.allocate(Shape{batch}, DType::Float32);
  copy_from_host_on(target_, weights, host_sample_weights_.data(), batch_size * sizeof(float));
  const Tensor label_slots = arena.allocate(Shape{batch}, DType::Float32);
  copy_from_host_on(target_, label_slots, labels, batch_size * sizeof(std::int32_t));
  return backward(static_cast<const std::int32_t*>(label_slots.raw_data()), weights.data<float>(), MixupTargets{},
                  arena);
}

DeviceLoss ResNetBody::backward(const std::int32_t* labels, const float* weights, const MixupTargets& mixup,
                                Arena& arena) {
  const int batch = static_cast<int>(logits_.size(0));
  DeviceLoss result{arena.allocate(Shape{batch}, DType::Float32), arena.allocate(Shape{1}, DType::Float32)};
  cross_entropy_forward(target_, logits_.data<float>(), labels, weights, batch, num_classes_,
                        result.sample_losses.data<float>(), result.loss.data<float>(), mixup);
  const Tensor logits_grad = arena.allocate(logits_.shape(), DType::Float32);
  cross_entropy_backward(target_, logits_.data<float>(), labels, weights, batch, num_classes_,
                         logits_grad.data<float>(), mixup);
  const Tensor averaged_grad = arena.allocate(averaged_.shape(), DType::Float32);
  linear_backward(averaged_, fc_weight_.value, logits_grad, averaged_grad, fc_weight_.grad, fc_bias_.grad,
                  fc_precision_, target_.stream);

  // Two buffers of the largest block activation take turns as a block's output and input gradient.
  Tensor output_grad = arena.allocate(Shape{largest_activation_}, DType::Float32);
  Tensor input_grad = arena.allocate(Shape{largest_activation_}, DType::Float32);
  Tensor gradient = output_grad.slice_rows(0, features_.element_count()).reshape(features_.shape());
  global_average_pool_backward(target_, averaged_grad.data<float>(), features_.size(0) * features_.size(1),
                               static_cast<int>(features_.size(2) * features_.size(3)), gradient.data<float>());
  for (std::size_t index = blocks_.size(); index-- > 0;) {
    const Shape& input_shape =
        index > 0 ? blocks_[index - 1].output_shape() : (max_pool_ ? pooled_stem_.shape() : stem_output_.shape());
    const Tensor block_input_grad = input_grad.slice_rows(0, input_shape.element_count()).reshape(input_shape);
    blocks_[index].backward(gradient, block_input_grad, arena);
    gradient = block_input_grad;
    std::swap(output_grad, input_grad);
  }
  backward_stem(gradient, arena);
  return result;
}

void ResNetBody::backward_stem(const Tensor& pooled_grad, Arena& arena) {
  Tensor stem_grad = pooled_grad;
  if (max_pool_) {
    stem_grad = arena.allocate(stem_output_.shape(), DType::Float32);
    const MaxPoolShape pool{static_cast<int>(stem_output_.size(0)), static_cast<int>(stem_output_.size(1)),
                            static_cast<int>(stem_output_.size(2)), static_cast<int>(stem_output_.size(3))};
    max_pool_backward(target_, pooled_grad.data<float>(), max_pool_argmax_, pool, stem_grad.data<float>());
  }
  stem_.backward(stem_grad, Tensor{}, arena);  // the images need no gradient
}

ResNet::ResNet(const ResNetConfig& config) : config_(config), arena_(config.device) {
  config_.validate();
  body_ = std::make_unique<ResNetBody>(config_, state_);
  for (const ResNetTensor& entry : state_)
    if (entry.is_parameter) parameters_.push_back(entry);
  initialize_kaiming(0);
}

ResNet::~ResNet() = default;

const ResNetTensor& ResNet::find(const std::string& name) const {
  for (const ResNetTensor& entry : state_)
    if (entry.name == name) return entry;
  throw Error("resnet " + config_.architecture + ": no state tensor named '" + name + "'");
}

Tensor ResNet::forward(const Tensor& images, BatchNormMode mode) {
  images.expect("resnet images", images.shape(), DType::Float32, config_.device);
  GENINT_CHECK(
      images.rank() == 4 && images.size(1) == 3 && images.is_contiguous(),
      "resnet: images must be a contiguous [batch, 3, height, width] tensor, got " + images.shape().to_string());
  GENINT_CHECK(images.size(0) > 0, "resnet: the batch is empty");
  arena_.reset();
  last_forward_trained_ = false;
  Tensor logits = body_->forward(images, mode, arena_);
  last_batch_ = static_cast<int>(images.size(0));
  last_forward_trained_ = mode == BatchNormMode::Train;
  if (last_forward_trained_) ++num_batches_tracked_;
  return logits;
}

float ResNet::backward(const std::int32_t* labels, int count, const float* sample_weights) {
  GENINT_CHECK(last_forward_trained_, "resnet: backward needs a forward in BatchNormMode::Train just before it");
  GENINT_CHECK(labels != nullptr && count == last_batch_, "resnet: backward got " + std::to_string(count) +
                                                              " labels for a batch of " + std::to_string(last_batch_));
  const DeviceLoss loss = body_->backward_from_host(labels, sample_weights, arena_);
  if (config_.device == Device::Cpu) return *loss.loss.data<float>();
  // The one wait of a CUDA step, on the model's own stream: the loss is read once every gradient is queued.
  float host_loss = 0.0f;
  cuda_copy_async(&host_loss, loss.loss.raw_data(), sizeof(float), config_.stream);
  synchronize();
  return host_loss;
}

DeviceLoss ResNet::backward_queued(const std::int32_t* labels, const float* sample_weights, int count,
                                   const MixupTargets& mixup) {
  GENINT_CHECK(last_forward_trained_, "resnet: backward needs a forward in BatchNormMode::Train just before it");
  GENINT_CHECK(labels != nullptr && sample_weights != nullptr && count == last_batch_,
               "resnet: backward_queued needs labels and sample weights for the batch of " +
                   std::to_string(last_batch_) + ", got " + std::to_string(count));
  return body_->backward(labels, sample_weights, mixup, arena_);
}

void ResNet::synchronize() const {
  if (config_.device == Device::Cuda) cuda_stream_synchronize(config_.stream);
}

Tensor ResNet::upload_images(const float* images, int batch, int height, int width) {
  check_batch("upload_images", images, batch, height, width);
  const Tensor view = grown_view(input_images_, Shape{batch, 3, height, width}, DType::Float32, config_.device);
  copy_from_host_on(body_->target(), view, images, view.byte_count());
  return view;
}

Tensor ResNet::upload_images(const std::uint8_t* images, int batch, int height, int width,
                             const ImageNormalization& normalization) {
  check_batch("upload_images", images, batch, height, width);
  const Tensor view = grown_view(input_images_, Shape{batch, 3, height, width}, DType::Float32, config_.device);
  if (config_.device == Device::Cpu) {
    normalize_images(body_->target(), images, batch, height, width, normalization, view.data<float>());
    return view;
  }
  const Tensor pixels = grown_view(input_pixels_, Shape{batch, height, width, 3}, DType::UInt8, config_.device);
  copy_from_host_on(body_->target(), pixels, images, pixels.byte_count());
  return normalize_device_pixels(pixels.data<std::uint8_t>(), batch, height, width, normalization);
}

Tensor ResNet::normalize_device_pixels(const std::uint8_t* pixels, int batch, int height, int width,
                                       const ImageNormalization& normalization) {
  check_batch("normalize_device_pixels", pixels, batch, height, width);
  const Tensor view = grown_view(input_images_, Shape{batch, 3, height, width}, DType::Float32, config_.device);
  normalize_images(body_->target(), pixels, batch, height, width, normalization, view.data<float>());
  return view;
}

void ResNet::copy_state_from(const ResNet& other) {
  GENINT_CHECK(other.config_.architecture == config_.architecture && other.config_.num_classes == config_.num_classes &&
                   other.config_.small_input_stem == config_.small_input_stem && other.state_.size() == state_.size(),
               "resnet copy_state_from: " + other.config_.architecture + " (" +
                   std::to_string(other.config_.num_classes) + " classes) does not match " + config_.architecture +
                   " (" + std::to_string(config_.num_classes) + " classes)");
  for (std::size_t index = 0; index < state_.size(); ++index) {
    Tensor destination = state_[index].value;
    destination.copy_from(other.state_[index].value);
  }
  num_batches_tracked_ = other.num_batches_tracked_;
}

}  // namespace genint
