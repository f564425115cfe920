// The AdaIN style-transfer network (Huang & Belongie, ICCV 2017) layer for layer as pytorch-AdaIN's net.py:
// VGG-19 "normalised" encoder to relu4_1, adaptive instance normalisation, mirrored decoder; widths from the file.
#pragma once

#include <array>
#include <string>

#include "nn/core/device.h"
#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint {

// How the convolutions (the network's only multiply-adds) form their products; everything else (padding, ReLU,
// pooling, upsampling, AdaIN's statistics and transform, the clamp) and every activation stay float32.
enum class AdaINPrecision {
  Float32,
  Tf32,  // CUDA only: TF32 tensor cores in the convolutions (10-bit mantissa operands, float32 sums and storage)
  // conv2d's bf16 mode: weights converted to bfloat16 once at load, each conv's input rounded to bf16 as it is read
  // and its sum rounded to bf16 before the float32 bias (cuDNN bf16 convolutions with float32 accumulation); on the
  // CPU the twin of those roundings around float32 convolutions (the reference the CUDA mode is held to).
  Bf16
};
// "fp32", "tf32", "bf16".
const char* adain_precision_name(AdaINPrecision precision);

struct AdaINNetworkConfig {
  // Where the weights and activations live. Device::Cuda: the CUDA device current at construction (every later call
  // must run with it current); weights are uploaded once on `stream` and the constructor returns when they are in.
  Device device = Device::Cpu;
  // CUDA only (a cudaStream_t; nullptr = the legacy default stream): every layer of every call is queued on it and
  // the calls return without waiting. Results read on the host must wait for this stream: synchronize(), or
  // Tensor::copy_to_host(…, stream), which returns once the bytes have arrived.
  void* stream = nullptr;
  AdaINPrecision precision = AdaINPrecision::Float32;  // Tf32 needs Device::Cuda
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
// owned (not arena memory), so one computation serves any number of later stylize calls (on CUDA they stay on the
// device; the network's stream orders their computation before every later call that reads them).
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

// 2 × the multiply-adds of net.py's convolutions for one height × width image, from adain_layers and the widths at
// the sizes the forward runs them (ceil_mode pools, ×2 upsampling): the encoder's 10 convs, plus the decoder's 9
// with `with_decoder`. A stylize with cached style statistics costs (…, true) per content, a style's statistics
// (…, false) per style image. Padding, ReLU, pooling, upsampling, AdaIN and the clamp have no multiply-adds and are
// left out (under 1 % of the work).
double adain_conv_flops(const AdaINWidths& widths, int height, int width, bool with_decoder);

class AdaINNetwork {
 public:
  // Loads a safetensors file from tools/convert_adain.py: encoder.conv0 (1×1, 3→3), encoder.conv{1_1, 1_2, 2_1,
  // 2_2, 3_1, 3_2, 3_3, 3_4, 4_1} and decoder.conv{4_1, 3_4, 3_3, 3_2, 3_1, 2_2, 2_1, 1_2, 1_1}, each .weight and
  // .bias. Widths come from encoder.conv{1_1, 2_1, 3_1, 4_1}; every other shape must follow from them. A missing,
  // misshapen or unknown tensor throws genint::Error naming the file and the tensor.
  explicit AdaINNetwork(const std::string& weights_path, const AdaINNetworkConfig& config = AdaINNetworkConfig{});

  // images: [batch, 3, height, width] float32 in [0, 1] (pytorch-AdaIN feeds ToTensor() images, no mean/std) on the
  // network's device, both sides at least 9 so relu4_1 (1/8 of the size, rounded up by the ceil_mode pools) has 2×2
  // planes. Each call resets the arena: the views a call returns are valid until the next call (on CUDA, the next
  // call's work is queued behind every earlier reader on the same stream; a reader on another stream must finish
  // first).
  AdaINEncoderFeatures encode(const Tensor& images);
  // μ and σ of relu4_1 of each style image (one row per image).
  AdaINStyleStatistics style_statistics(const Tensor& style_images);
  // The same, written into `into`, whose tensors are reused when they already have the shape and device (allocated
  // otherwise): a caller computing one style after another allocates nothing after the first (on CUDA a free waits
  // for the whole device). On CUDA the overwrite is queued on the network's stream behind every earlier reader there.
  void style_statistics(const Tensor& style_images, AdaINStyleStatistics& into);
  // f = α·AdaIN(f_c, style) + (1 − α)·f_c at relu4_1: t = σ_s·(f_c − μ_c)/σ_c + μ_s per channel over H×W.
  // style.styles() must be 1 (shared by every content) or the content batch (one each); α in [0, 1], as
  // pytorch-AdaIN's test.py asserts. A view into the arena.
  Tensor transfer_features(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha);
  // The decoded transfer, clamped to [0, 1]: [batch, 3, 8·ceil8(height), 8·ceil8(width)] where ceil8(n) is the
  // relu4_1 size (n/8 rounded up by ceil_mode pools), as pytorch-AdaIN. A view into the arena.
  Tensor stylize(const Tensor& content_images, const AdaINStyleStatistics& style, float alpha);

  // Blocks until the work queued by this network's calls is done: its stream on CUDA (no other); nothing on the CPU.
  void synchronize() const;

  const AdaINWidths& widths() const { return widths_; }
  Device device() const { return config_.device; }
  const AdaINNetworkConfig& config() const { return config_; }
  const Arena& arena() const { return arena_; }

 private:
  struct Conv {
    std::string name;
    int in_channels = 0, out_channels = 0, kernel = 3;
    bool relu = true;
    Tensor weight, bias;  // weight float32, or bfloat16 with AdaINPrecision::Bf16; bias float32
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
