// Places BigGAN-deep's weights on the forward's device: CPU views of the host vectors (no copy), or CUDA uploads
// on the generator's stream, with conv weights converted to bf16 there once when the forward runs in bf16.
#include "gan/biggan/biggan_device_weights.h"

#include "nn/core/device_buffer.h"
#include "nn/ops/bfloat16_convert.h"

namespace genint {
namespace {

class Placer {
 public:
  Placer(const OpTarget& target, bool bf16_convs) : target_(target), bf16_convs_(bf16_convs) {}

  // A [shape] tensor of `values` on the target; undefined for an empty vector (an absent weight).
  Tensor place(const std::vector<float>& values, const Shape& shape) const {
    if (values.empty()) return Tensor{};
    auto* data = const_cast<float*>(values.data());  // CPU views are only read
    if (target_.on_cpu()) return Tensor::borrow(data, shape, DType::Float32, Device::Cpu);
    Tensor tensor = Tensor::empty(shape, DType::Float32, Device::Cuda);
    tensor.copy_from_host(data, tensor.byte_count(), target_.stream);
    return tensor;
  }

  BigGanDeviceConv conv(const BigGanConvWeights& weights) const {
    BigGanDeviceConv conv;
    conv.shape.in_channels = weights.in_channels;
    conv.shape.out_channels = weights.out_channels;
    conv.shape.kernel_height = conv.shape.kernel_width = weights.kernel;
    conv.shape.pad_height = conv.shape.pad_width = weights.kernel / 2;
    const Shape shape{weights.out_channels, weights.in_channels, weights.kernel, weights.kernel};
    conv.weight = place(weights.weight, shape);
    if (bf16_convs_ && !target_.on_cpu()) {
      // Converted once here; the float32 upload is freed once the conversion has read it.
      Tensor converted = Tensor::empty(shape, DType::BFloat16, Device::Cuda);
      float_to_bfloat16(target_, conv.weight.data<float>(), conv.weight.element_count(),
                        converted.data<std::uint16_t>());
      cuda_stream_synchronize(target_.stream);
      conv.weight = converted;
    }
    conv.bias = place(weights.bias, Shape{weights.out_channels});
    return conv;
  }

  // Norms must be placed in for_each_biggan_norm's order: each takes the next statistics channels.
  BigGanDeviceNorm norm(const BigGanNormWeights& weights, BigGanDeviceWeights& placed) const {
    BigGanDeviceNorm norm;
    norm.channels = weights.channels;
    const std::int64_t channels = weights.channels;
    if (!weights.scale.empty()) {
      const std::int64_t inputs = static_cast<std::int64_t>(weights.scale.size()) / channels;
      norm.scale = place(weights.scale, Shape{channels, inputs});
      norm.offset = place(weights.offset, Shape{channels, inputs});
    }
    norm.weight = place(weights.weight, Shape{channels});
    norm.bias = place(weights.bias, Shape{channels});
    norm.statistics_offset = placed.statistics_channels;
    placed.statistics_channels += channels;
    return norm;
  }

 private:
  OpTarget target_;
  bool bf16_convs_;
};

}  // namespace

BigGanDeviceWeights place_biggan_weights(const BigGanWeights& weights, const OpTarget& target, bool bf16_convs) {
  const Placer placer(target, bf16_convs);
  const BigGanConfig& config = weights.config;
  BigGanDeviceWeights placed;
  placed.gen_z_weight = placer.place(weights.gen_z_weight, Shape{config.gen_z_features(), config.condition_dim()});
  placed.gen_z_bias = placer.place(weights.gen_z_bias, Shape{config.gen_z_features()});
  for (const BigGanBlockWeights& block : weights.blocks) {
    BigGanDeviceBlock device_block;
    for (int index = 0; index < 4; ++index) {
      device_block.norms[index] = placer.norm(block.norms[index], placed);
      device_block.convs[index] = placer.conv(block.convs[index]);
    }
    placed.blocks.push_back(std::move(device_block));
  }
  if (config.has_attention()) {
    placed.theta = placer.conv(weights.attention.theta);
    placed.phi = placer.conv(weights.attention.phi);
    placed.g = placer.conv(weights.attention.g);
    placed.o = placer.conv(weights.attention.o);
  }
  placed.final_norm = placer.norm(weights.final_norm, placed);
  placed.to_rgb = placer.conv(weights.to_rgb);
  return placed;
}

Conv2dShape biggan_conv_shape(const BigGanDeviceConv& conv, int batch, int resolution) {
  Conv2dShape shape = conv.shape;
  shape.batch = batch;
  shape.in_height = shape.in_width = resolution;
  return shape;
}

}  // namespace genint
