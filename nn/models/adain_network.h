// The AdaIN style-transfer network (Huang & Belongie, ICCV 2017) layer for layer as pytorch-AdaIN's net.py:
// VGG-19 "normalised" encoder to relu4_1, adaptive instance normalisation, mirrored decoder; widths from the file.
#pragma once

#include <array>
#include <string>

#include "nn/core/device.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint {

struct AdaINNetworkConfig {
  // Where the weights and activations live. Every layer runs through its op's dispatch point, but the CUDA forward
  // of the whole network has not been run against the CPU yet: Device::Cuda is refused at construction (genint::Error
  // "not yet implemented") rather than offered untested.
  Device device = Device::Cpu;
  void* stream = nullptr;  // CUDA only (a cudaStream_t)
};

// Channels of the encoder's four levels (relu1_1, relu2_1, relu3_1, relu4_1): {64, 128, 256, 512} for VGG-19,
// narrower for a demo-scale network. Read from the weight file's shapes.
using AdaINWidths = std::array<int, 4>;

// Encoder activations at the four ReLU levels, [batch, widths[k], height_k, width_k]; views into the network's arena,
// valid until its next call.
struct AdaINEncoderFeatures {
  Tensor relu1_1, relu2_1, relu3_1, relu4_1;
};

// Per-channel statistics of style images at relu4_1, each [styles, widths[3]] float32 on the network's device and
// owned (not arena memory), so one computation serves any number of later stylize calls.
// sigma = sqrt(var + 1e-5) with the UNBIASED variance (n − 1), as pytorch-AdaIN's calc_mean_std (torch .var()).
struct AdaINStyleStatistics {
  Tensor mean, sigma;
  int styles() const { return mean.defined() ? static_cast<int>(mean.size(0)) : 0; }
};

// One conv of net.py: its name in the converted file, the levels of its input and output channels (0: RGB,
// k: widths[k − 1]), its kernel (1 only for the encoder's first conv) and whether a ReLU follows.
struct AdaINLayerSpec {
  const char* name;
  int in_level, out_level, kernel;
  bool relu;
};
// net.py's 19 convs in the converter's order (tools/convert_adain.py): the encoder's 10, then the decoder's 9.
constexpr int adain_encoder_layers = 10, adain_decoder_layers = 9;
constexpr std::array<AdaINLayerSpec, adain_encoder_layers + adain_decoder_layers> adain_layers = {
    {{"encoder.conv0", 0, 0, 1, false},
     {"encoder.conv1_1", 0, 1, 3, true},
     {"encoder.conv1_2", 1, 1, 3, true},
     {"encoder.conv2_1", 1, 2, 3, true},
     {"encoder.conv2_2", 2, 2, 3, true},
     {"encoder.conv3_1", 2, 3, 3, true},
     {"encoder.conv3_2", 3, 3, 3, true},
     {"encoder.conv3_3", 3, 3, 3, true},
     {"encoder.conv3_4", 3, 3, 3, true},
     {"encoder.conv4_1", 3, 4, 3, true},
     {"decoder.conv4_1", 4, 3, 3, true},
     {"decoder.conv3_4", 3, 3, 3, true},
     {"decoder.conv3_3", 3, 3, 3, true},
     {"decoder.conv3_2", 3, 3, 3, true},
     {"decoder.conv3_1", 3, 2, 3, true},
     {"decoder.conv2_2", 2, 2, 3, true},
     {"decoder.conv2_1", 2, 1, 3, true},
     {"decoder.conv1_2", 1, 1, 3, true},
     {"decoder.conv1_1", 1, 0, 3, false}}};

class AdaINNetwork {
 public:
  // Loads a safetensors file from tools/convert_adain.py: encoder.conv0 (1×1, 3→3), encoder.conv{1_1, 1_2, 2_1,
  // 2_2, 3_1, 3_2, 3_3, 3_4, 4_1} and decoder.conv{4_1, 3_4, 3_3, 3_2, 3_1, 2_2, 2_1, 1_2, 1_1}, each .weight and
  // .bias. Widths come from encoder.conv{1_1, 2_1, 3_1, 4_1}; every other shape must follow from them. A missing,
  // misshapen or unknown tensor throws genint::Error naming the file and the tensor.
  explicit AdaINNetwork(const std::string& weights_path, const AdaINNetworkConfig& config = AdaINNetworkConfig{});

  // images: [batch, 3, height, width] float32 in [0, 1] (pytorch-AdaIN feeds ToTensor() images, no mean/std), both
  // sides at least 9 so relu4_1 (1/8 of the size, rounded up by the ceil_mode pools) has 2×2 planes.
  AdaINEncoderFeatures encode(const Tensor& images);
  // μ and σ of relu4_1 of each style image (one row per image).
  AdaINStyleStatistics style_statistics(const Tensor& style_images);
  // f = α·AdaIN(f_c, style) + (1 − α)·f_c at relu4_1: t = σ_s·(f_c − μ_c)/σ_c + μ_s per channel over H×W.
  // style.styles() must be 1 (shared by every content) or the content batch (one each); α in [0, 1], as
  // pytorch-AdaIN's test.py asserts. A view into the arena.
  Tensor transfer_features(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha);
  // The decoded transfer, clamped to [0, 1]: [batch, 3, 8·ceil8(height), 8·ceil8(width)] where ceil8(n) is the
  // relu4_1 size (n/8 rounded up by ceil_mode pools), as pytorch-AdaIN. A view into the arena.
  Tensor stylize(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha);

  const AdaINWidths& widths() const { return widths_; }
  Device device() const { return config_.device; }
  const Arena& arena() const { return arena_; }

 private:
  struct Conv {
    std::string name;
    int in_channels = 0, out_channels = 0, kernel = 3;
    bool relu = true;
    Tensor weight, bias;
  };
  void load(const std::string& path);
  Tensor run_conv(const Conv& conv, const Tensor& input);
  Tensor max_pool(const Tensor& input);
  Tensor upsample(const Tensor& input);
  AdaINEncoderFeatures encode_into_arena(const Tensor& images);
  Tensor transfer_into_arena(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha);
  Tensor decode(const Tensor& features);

  AdaINNetworkConfig config_;
  AdaINWidths widths_{};
  std::array<Conv, adain_encoder_layers> encoder_;
  std::array<Conv, adain_decoder_layers> decoder_;
  Arena arena_;
};

}  // namespace genint
