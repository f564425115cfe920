// The AdaIN network's layers, weight loading and forward: every activation from one Arena on the network's device,
// every layer through its op's dispatch point on the network's stream (pad, conv2d, ReLU, pool, ×2, AdaIN, clamp).
#include "nn/models/adain_network.h"

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/ops/adain.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/max_pool.h"
#include "nn/ops/op_target.h"
#include "nn/ops/reflection_pad.h"
#include "nn/ops/relu.h"
#include "nn/ops/upsample.h"
#include "nn/safetensors/safetensors_reader.h"

namespace genint {
namespace {

// The convs whose output channels define widths[0..3].
constexpr const char* kWidthSources[4] = {"encoder.conv1_1", "encoder.conv2_1", "encoder.conv3_1", "encoder.conv4_1"};

const AdaINNetworkConfig& checked(const AdaINNetworkConfig& config) {
  GENINT_CHECK(config.device == Device::Cuda || config.stream == nullptr,
               "adain_network: stream applies to Device::Cuda only");
  GENINT_CHECK(config.device == Device::Cuda || config.precision != AdaINPrecision::Tf32,
               "adain_network: TF32 applies to Device::Cuda only (the CPU convolves in float32; bf16 has a CPU twin)");
  GENINT_CHECK(config.device == Device::Cpu || cuda_device_count() > 0,
               "adain_network: Device::Cuda needs a CUDA device: " + cuda_device_description());
  return config;
}

// A float32 host tensor placed where the network runs: as it is, uploaded on the target's stream, and/or converted to
// bfloat16 there (bf16 weights, converted once). `staging` keeps each CUDA float32 upload that a queued conversion
// still reads; the caller releases them after synchronising the stream. A pageable upload returns once the bytes are
// staged, so `host` may go as soon as this returns.
Tensor place(const Tensor& host, const OpTarget& target, bool to_bfloat16, std::vector<Tensor>& staging) {
  Tensor placed = host;
  if (!target.on_cpu()) {
    placed = Tensor::empty(host.shape(), DType::Float32, Device::Cuda);
    placed.copy_from_host(host.data<float>(), host.byte_count(), target.stream);
  }
  if (!to_bfloat16) return placed;
  Tensor converted = Tensor::empty(host.shape(), DType::BFloat16, target.device);
  float_to_bfloat16(target, placed.data<float>(), placed.element_count(), converted.data<std::uint16_t>());
  if (!target.on_cpu()) staging.push_back(placed);
  return converted;
}

int dimension(const Tensor& tensor, int axis) {
  return static_cast<int>(tensor.size(axis));
}

}  // namespace

const char* adain_precision_name(AdaINPrecision precision) {
  switch (precision) {
    case AdaINPrecision::Float32: return "fp32";
    case AdaINPrecision::Tf32: return "tf32";
    case AdaINPrecision::Bf16: return "bf16";
  }
  return "unknown";
}

double adain_conv_flops(const AdaINWidths& widths, int height, int width, bool with_decoder) {
  // Plane sides per level: level 1 (and conv0's) is the image's, each ceil_mode pool halves rounding up.
  std::array<std::int64_t, 5> heights{height, height}, widths_at{width, width};
  for (std::size_t level = 2; level <= 4; ++level) {
    heights[level] = (heights[level - 1] + 1) / 2;
    widths_at[level] = (widths_at[level - 1] + 1) / 2;
  }
  const auto channels = [&](int level) { return level == 0 ? 3.0 : widths[static_cast<std::size_t>(level - 1)]; };
  double flops = 0.0;
  for (std::size_t index = 0; index < adain_layers.size(); ++index) {
    const AdaINLayerSpec& layer = adain_layers[index];
    std::int64_t plane = 0;
    if (index < adain_encoder_layers) {  // at its output level's size (conv0, level 0, at the image's)
      const auto level = static_cast<std::size_t>(std::max(layer.out_level, 1));
      plane = heights[level] * widths_at[level];
    } else if (with_decoder) {  // the decoder upsamples ×2 after each level: 2^(4 − in_level) × relu4_1's size
      const int doublings = 4 - layer.in_level;
      plane = (heights[4] << doublings) * (widths_at[4] << doublings);
    }
    flops += 2.0 * static_cast<double>(plane) * channels(layer.in_level) * channels(layer.out_level) * layer.kernel *
             layer.kernel;
  }
  return flops;
}

AdaINNetwork::AdaINNetwork(const std::string& weights_path, const AdaINNetworkConfig& config)
    : config_(checked(config)), arena_(config.device) {
  load(weights_path);
}

void AdaINNetwork::load(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  for (int level = 0; level < 4; ++level) {
    const std::string name = std::string(kWidthSources[level]) + ".weight";
    GENINT_CHECK(file.contains(name), path + ": AdaIN tensor '" + name + "' is missing (it gives the width of relu" +
                                          std::to_string(level + 1) + "_1)");
    const std::vector<std::uint64_t>& shape = file.tensor(name).shape;
    GENINT_CHECK(shape.size() == 4 && shape[0] > 0 && shape[0] < (1U << 20),
                 path + ": tensor '" + name + "' has shape " + io::safetensors_shape_text(shape) +
                     ", expected [width, in, 3, 3]");
    widths_[static_cast<std::size_t>(level)] = static_cast<int>(shape[0]);
  }
  const auto channels = [&](int level) { return level == 0 ? 3 : widths_[static_cast<std::size_t>(level - 1)]; };
  std::set<std::string> expected;
  const auto describe = [&](const AdaINLayerSpec& spec) {
    Conv conv{spec.name, channels(spec.in_level), channels(spec.out_level), spec.kernel, spec.relu, {}, {}};
    const auto out = static_cast<std::uint64_t>(conv.out_channels), kernel = static_cast<std::uint64_t>(spec.kernel);
    file.expect_shape(conv.name + ".weight", {out, static_cast<std::uint64_t>(conv.in_channels), kernel, kernel},
                      "AdaIN");
    file.expect_shape(conv.name + ".bias", {out}, "AdaIN");
    expected.insert(conv.name + ".weight");
    expected.insert(conv.name + ".bias");
    return conv;
  };
  for (std::size_t index = 0; index < encoder_.size(); ++index) encoder_[index] = describe(adain_layers[index]);
  for (std::size_t index = 0; index < decoder_.size(); ++index)
    decoder_[index] = describe(adain_layers[encoder_.size() + index]);
  for (const std::string& name : file.names())
    GENINT_CHECK(expected.count(name) != 0, path + ": tensor '" + name + "' is not part of the AdaIN network");
  // Only after every check: each tensor is read as float32 on the host, then placed on the network's device (conv
  // weights converted to bf16 once here in bf16 mode; biases stay float32).
  const OpTarget target{config_.device, config_.stream};
  const bool bf16 = config_.precision == AdaINPrecision::Bf16;
  std::vector<Tensor> staging;
  const auto read = [&](const std::string& name, const Shape& shape, bool to_bfloat16) {
    Tensor host = Tensor::empty(shape, DType::Float32, Device::Cpu);
    file.read_as_float_into(name, host.data<float>(), static_cast<std::size_t>(host.element_count()));
    return place(host, target, to_bfloat16, staging);
  };
  for (auto* layers : {encoder_.data(), decoder_.data()}) {
    const std::size_t count = layers == encoder_.data() ? encoder_.size() : decoder_.size();
    for (std::size_t index = 0; index < count; ++index) {
      Conv& conv = layers[index];
      conv.weight =
          read(conv.name + ".weight", Shape{conv.out_channels, conv.in_channels, conv.kernel, conv.kernel}, bf16);
      conv.bias = read(conv.name + ".bias", Shape{conv.out_channels}, false);
    }
  }
  // The weights are in (and the float32 staging copies free to go) before the constructor returns.
  if (!target.on_cpu()) cuda_stream_synchronize(config_.stream);
}

Tensor AdaINNetwork::run_conv(const Conv& conv, const Tensor& input) {
  const OpTarget target{config_.device, config_.stream};
  const int batch = dimension(input, 0), height = dimension(input, 2), width = dimension(input, 3);
  Tensor source = input;
  if (conv.kernel == 3) {  // net.py: nn.ReflectionPad2d((1, 1, 1, 1)) before every 3×3 conv, which pads nothing
    const ReflectionPadShape pad{static_cast<std::int64_t>(batch) * conv.in_channels, height, width, 1, 1, 1, 1};
    source = arena_.allocate(Shape{batch, conv.in_channels, height + 2, width + 2}, DType::Float32);
    reflection_pad_forward(target, input.data<float>(), pad, source.data<float>());
  }
  const Tensor output = arena_.allocate(Shape{batch, conv.out_channels, height, width}, DType::Float32);
  Conv2dParams params;
  params.stream = config_.stream;
  params.allow_tf32 = config_.precision == AdaINPrecision::Tf32;
  params.bf16 = config_.precision == AdaINPrecision::Bf16;  // the weight is bfloat16; input and output float32
  params.forward_only = true;                               // style transfer never trains here: no backward workspace
  conv2d_forward(source, conv.weight, conv.bias, output, params, arena_);
  if (conv.relu) relu_forward(target, output.data<float>(), output.element_count(), output.data<float>());
  return output;
}

Tensor AdaINNetwork::max_pool(const Tensor& input) {
  // net.py: nn.MaxPool2d((2, 2), (2, 2), (0, 0), ceil_mode=True).
  const MaxPoolShape shape{
      dimension(input, 0), dimension(input, 1), dimension(input, 2), dimension(input, 3), 2, 2, 0, true};
  check_max_pool_shape(shape);
  const Tensor output =
      arena_.allocate(Shape{shape.batch, shape.channels, shape.output_height(), shape.output_width()}, DType::Float32);
  auto* argmax = static_cast<std::int32_t*>(arena_.allocate_bytes(output.byte_count()));  // unused: no backward
  max_pool_forward(OpTarget{config_.device, config_.stream}, input.data<float>(), shape, output.data<float>(), argmax);
  return output;
}

Tensor AdaINNetwork::upsample(const Tensor& input) {
  // net.py: nn.Upsample(scale_factor=2, mode='nearest').
  const int height = dimension(input, 2), width = dimension(input, 3);
  const Tensor output = arena_.allocate(Shape{input.size(0), input.size(1), 2 * height, 2 * width}, DType::Float32);
  upsample_nearest_forward(OpTarget{config_.device, config_.stream}, input.data<float>(), input.size(0) * input.size(1),
                           height, width, 2, output.data<float>());
  return output;
}

AdaINEncoderFeatures AdaINNetwork::encode_into_arena(const Tensor& images) {
  GENINT_CHECK(images.rank() == 4 && images.size(1) == 3 && images.dtype() == DType::Float32,
               "adain_network: images must be [batch, 3, height, width] float32");
  GENINT_CHECK(images.device() == config_.device, "adain_network: images are not on the network's device");
  GENINT_CHECK(images.size(0) > 0 && images.size(2) >= 9 && images.size(3) >= 9,
               "adain_network: images must be at least 9×9 (relu4_1, 1/8 of the size, needs 2×2 planes for the "
               "reflection padding and the unbiased variance), got " +
                   std::to_string(images.size(2)) + "×" + std::to_string(images.size(3)));
  AdaINEncoderFeatures features;
  Tensor x = run_conv(encoder_[0], images);
  features.relu1_1 = run_conv(encoder_[1], x);
  x = max_pool(run_conv(encoder_[2], features.relu1_1));
  features.relu2_1 = run_conv(encoder_[3], x);
  x = max_pool(run_conv(encoder_[4], features.relu2_1));
  features.relu3_1 = run_conv(encoder_[5], x);
  for (std::size_t index = 6; index <= 8; ++index) x = run_conv(encoder_[index], index == 6 ? features.relu3_1 : x);
  features.relu4_1 = run_conv(encoder_[9], max_pool(x));
  return features;
}

AdaINEncoderFeatures AdaINNetwork::encode(const Tensor& images) {
  arena_.reset();
  return encode_into_arena(images);
}

AdaINStyleStatistics AdaINNetwork::style_statistics(const Tensor& style_images) {
  AdaINStyleStatistics statistics;
  style_statistics(style_images, statistics);
  return statistics;
}

void AdaINNetwork::style_statistics(const Tensor& style_images, AdaINStyleStatistics& into) {
  arena_.reset();
  const Tensor features = encode_into_arena(style_images).relu4_1;
  const std::int64_t styles = features.size(0), channels = features.size(1);
  const Shape shape{styles, channels};
  for (Tensor* statistic : {&into.mean, &into.sigma})
    if (statistic->raw_data() == nullptr || statistic->shape() != shape || statistic->dtype() != DType::Float32 ||
        statistic->device() != config_.device)
      *statistic = Tensor::empty(shape, DType::Float32, config_.device);
  adain_statistics(OpTarget{config_.device, config_.stream}, features.data<float>(), styles * channels,
                   features.size(2) * features.size(3), into.mean.data<float>(), into.sigma.data<float>());
}

Tensor AdaINNetwork::transfer_into_arena(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha) {
  GENINT_CHECK(alpha >= 0.0f && alpha <= 1.0f,
               "adain_network: alpha must lie in [0, 1] (pytorch-AdaIN's range), got " + std::to_string(alpha));
  const Tensor content = encode_into_arena(content_images).relu4_1;
  const AdaINShape shape{dimension(content, 0), dimension(content, 1), dimension(content, 2), dimension(content, 3),
                         style.styles()};
  GENINT_CHECK(style.mean.defined() && style.sigma.defined() && style.mean.rank() == 2 &&
                   style.mean.shape() == style.sigma.shape() && style.mean.size(1) == widths_[3],
               "adain_network: style statistics must be two [styles, " + std::to_string(widths_[3]) +
                   "] tensors from this network's style_statistics");
  GENINT_CHECK(style.mean.device() == config_.device && style.sigma.device() == config_.device,
               "adain_network: style statistics are not on the network's device");
  check_adain_shape(shape);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
  const Tensor content_mean = arena_.allocate(Shape{planes}, DType::Float32);
  const Tensor content_sigma = arena_.allocate(Shape{planes}, DType::Float32);
  const OpTarget target{config_.device, config_.stream};
  adain_statistics(target, content.data<float>(), planes, shape.plane_size(), content_mean.data<float>(),
                   content_sigma.data<float>());
  const Tensor output = arena_.allocate(content.shape(), DType::Float32);
  adain_transform(target, content.data<float>(), content_mean.data<float>(), content_sigma.data<float>(),
                  style.mean.data<float>(), style.sigma.data<float>(), shape, alpha, output.data<float>());
  return output;
}

Tensor AdaINNetwork::transfer_features(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha) {
  arena_.reset();
  return transfer_into_arena(content_images, style, alpha);
}

Tensor AdaINNetwork::decode(const Tensor& features) {
  Tensor x = upsample(run_conv(decoder_[0], features));
  for (std::size_t index = 1; index <= 4; ++index) x = run_conv(decoder_[index], x);
  x = upsample(x);
  for (std::size_t index = 5; index <= 6; ++index) x = run_conv(decoder_[index], x);
  x = upsample(x);
  for (std::size_t index = 7; index <= 8; ++index) x = run_conv(decoder_[index], x);
  clamp_unit_interval(OpTarget{config_.device, config_.stream}, x.data<float>(), x.element_count());
  return x;
}

Tensor AdaINNetwork::stylize(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha) {
  arena_.reset();
  return decode(transfer_into_arena(content_images, style, alpha));
}

void AdaINNetwork::synchronize() const {
  if (config_.device == Device::Cuda) cuda_stream_synchronize(config_.stream);
}

}  // namespace genint
