// The AdaIN network's loading and behaviour: widths read from the file, bad files refused naming the tensor, options
// the CPU lacks refused, the bf16 twin, the FLOPs count, α = 0 keeping the content, style statistics reused.
#include "nn/models/adain_network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "nn/core/device.h"
#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/golden_file.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

const std::string kGoldenWeights = "adain_narrow_weights.safetensors";  // widths 8, 12, 16, 24

std::vector<float> values_of(const Tensor& tensor) {
  const float* data = tensor.data<float>();
  return std::vector<float>(data, data + tensor.element_count());
}

Tensor images(int batch, int height, int width, unsigned seed) {
  Tensor tensor = Tensor::empty(Shape{batch, 3, height, width}, DType::Float32, Device::Cpu);
  const auto values = testing::seeded_uniform(static_cast<std::size_t>(tensor.element_count()), seed, 0.0f, 1.0f);
  tensor.copy_from_host(values.data(), values.size() * sizeof(float));
  return tensor;
}

// Copies the golden weight file with `edit` applied to every tensor (false drops it; it may change shape/values).
template <typename Edit>
void write_edited(const std::string& path, Edit&& edit) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(testing::nn_golden_path(kGoldenWeights));
  io::SafetensorsWriter writer;
  for (const std::string& name : file.names()) {
    std::vector<std::uint64_t> shape = file.tensor(name).shape;
    std::vector<float> values = file.read<float>(name);
    if (edit(name, shape, values)) writer.add(name, shape, values);
  }
  writer.write_file(path);
}

std::string construction_error(const std::string& path, const AdaINNetworkConfig& config = AdaINNetworkConfig{}) {
  try {
    AdaINNetwork network(path, config);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(AdaINNetwork, RefusesBadWeightFilesNamingTheTensor) {
  const testing::TemporaryDirectory directory("adain_weights_bad");
  write_edited(directory.file("missing.safetensors"),
               [](const std::string& name, auto&, auto&) { return name != "decoder.conv2_2.bias"; });
  EXPECT_NE(construction_error(directory.file("missing.safetensors")).find("'decoder.conv2_2.bias' is missing"),
            std::string::npos);
  write_edited(directory.file("shape.safetensors"), [](const std::string& name, auto& shape, auto& values) {
    if (name == "encoder.conv3_3.weight") {  // 16 → 15 output channels: conv3_4 could no longer read it
      shape[0] = 15;
      values.resize(15U * 16U * 9U);
    }
    return true;
  });
  const std::string shape_error = construction_error(directory.file("shape.safetensors"));
  EXPECT_NE(shape_error.find("'encoder.conv3_3.weight' has shape [15, 16, 3, 3], the network needs [16, 16, 3, 3]"),
            std::string::npos)
      << shape_error;
  write_edited(directory.file("width.safetensors"),
               [](const std::string& name, auto&, auto&) { return name != "encoder.conv2_1.weight"; });
  EXPECT_NE(construction_error(directory.file("width.safetensors")).find("gives the width of relu2_1"),
            std::string::npos);
  {
    io::SafetensorsWriter writer;  // the golden tensors plus one net.py does not have
    const io::SafetensorsFile file = io::SafetensorsFile::open(testing::nn_golden_path(kGoldenWeights));
    for (const std::string& name : file.names()) writer.add(name, file.tensor(name).shape, file.read<float>(name));
    writer.add("encoder.conv4_2.weight", {1}, std::vector<float>{0.0f});
    writer.write_file(directory.file("extra.safetensors"));
  }
  EXPECT_NE(construction_error(directory.file("extra.safetensors"))
                .find("'encoder.conv4_2.weight' is not part of the AdaIN network"),
            std::string::npos);
  EXPECT_NE(construction_error(directory.file("absent.safetensors")), "");
}

TEST(AdaINNetwork, RefusesWhatTheCpuCannotDo) {
  const std::string path = testing::nn_golden_path(kGoldenWeights);
  AdaINNetworkConfig streamed;
  int stream_token = 0;
  streamed.stream = &stream_token;  // never used: the config is refused first
  EXPECT_NE(construction_error(path, streamed).find("stream applies to Device::Cuda only"), std::string::npos);
  AdaINNetworkConfig tf32;
  tf32.precision = AdaINPrecision::Tf32;
  EXPECT_NE(construction_error(path, tf32).find("TF32 applies to Device::Cuda only"), std::string::npos);
  if (cuda_device_count() == 0) {  // here Device::Cuda must say why it cannot run, before touching any memory
    AdaINNetworkConfig cuda;
    cuda.device = Device::Cuda;
    EXPECT_NE(construction_error(path, cuda).find("needs a CUDA device: no CUDA device"), std::string::npos);
  }
}

// The bf16 twin (conv2d's bf16 mode on the CPU, the reference of the CUDA bf16 network) really rounds: its output
// leaves float32's by more than float32 noise (~1e-6 of the scale) and stays within bf16's: 8 significant bits
// (2^-9 relative per rounding) on both operands and the sum of each of 19 convs, measured on this narrow network at
// 1.1e-2 (relu4_1, stylized) and 4.3e-2 (style σ) of the scale; 0.15 still fails on any layout or indexing error.
TEST(AdaINNetwork, Bf16TwinRoundsTheConvolutions) {
  const std::string path = testing::nn_golden_path(kGoldenWeights);
  AdaINNetworkConfig bf16;
  bf16.precision = AdaINPrecision::Bf16;
  AdaINNetwork exact(path), rounded(path, bf16);
  const Tensor content = images(2, 24, 20, 41), style = images(1, 16, 16, 42);
  const auto relative = [](const Tensor& actual, const Tensor& expected) {
    const std::vector<float> a = values_of(actual), b = values_of(expected);
    double worst = 0.0, scale = 0.0;
    for (std::size_t index = 0; index < a.size(); ++index) {
      worst = std::max(worst, std::fabs(static_cast<double>(a[index]) - b[index]));
      scale = std::max(scale, std::fabs(static_cast<double>(b[index])));
    }
    return worst / scale;
  };
  const double features = relative(rounded.encode(content).relu4_1, exact.encode(content).relu4_1);
  const AdaINStyleStatistics exact_style = exact.style_statistics(style);
  const double sigma = relative(rounded.style_statistics(style).sigma, exact_style.sigma);
  const AdaINStyleStatistics rounded_style = rounded.style_statistics(style);
  const double output =
      relative(rounded.stylize(content, rounded_style, 1.0f), exact.stylize(content, exact_style, 1.0f));
  std::printf("bf16 twin vs float32, relative to scale: relu4_1 %.3g, style sigma %.3g, stylized %.3g\n", features,
              sigma, output);
  for (const double difference : {features, sigma, output}) {
    EXPECT_GT(difference, 1e-4);
    EXPECT_LT(difference, 0.15);
  }
}

// 2 × multiply-adds from the layer table: at 224² and the real widths, the encoder's 10 convs come to
// 12 110 128 128 multiply-adds and the decoder's 9 to 12 109 676 544 (each conv C_in·C_out·k²·H·W, counted by hand
// at 224, 112, 56, 28); an odd size follows the ceil_mode pools down and the ×2 upsamples back up.
TEST(AdaINNetwork, ConvFlopsFollowTheLayerTable) {
  const AdaINWidths full{64, 128, 256, 512};
  EXPECT_DOUBLE_EQ(adain_conv_flops(full, 224, 224, false), 2.0 * 12110128128.0);
  EXPECT_DOUBLE_EQ(adain_conv_flops(full, 224, 224, true), 2.0 * (12110128128.0 + 12109676544.0));
  // 17×13: levels 17×13, 9×7, 5×4, 3×2; the decoder runs at 3×2, 6×4, 12×8, 24×16 (the output's size).
  const AdaINWidths narrow{8, 12, 16, 24};
  const double encoder = 3 * 3 * 1 * 221 + 3 * 8 * 9 * 221 + 8 * 8 * 9 * 221 + 8 * 12 * 9 * 63 + 12 * 12 * 9 * 63 +
                         12 * 16 * 9 * 20 + 3 * 16 * 16 * 9 * 20 + 16 * 24 * 9 * 6;
  const double decoder = 24 * 16 * 9 * 6 + 3 * 16 * 16 * 9 * 24 + 16 * 12 * 9 * 24 + 12 * 12 * 9 * 96 +
                         12 * 8 * 9 * 96 + 8 * 8 * 9 * 384 + 8 * 3 * 9 * 384;
  EXPECT_DOUBLE_EQ(adain_conv_flops(narrow, 17, 13, false), 2.0 * encoder);
  EXPECT_DOUBLE_EQ(adain_conv_flops(narrow, 17, 13, true), 2.0 * (encoder + decoder));
}

// A file of other widths (procedural values, net.py's names and shape chain): the same code runs it.
TEST(AdaINNetwork, ReadsItsWidthsFromTheFile) {
  const testing::TemporaryDirectory directory("adain_widths");
  const std::vector<std::uint64_t> widths{5, 7, 9, 11};
  write_edited(directory.file("narrower.safetensors"), [&](const std::string& name, auto& shape, auto& values) {
    for (std::uint64_t& size : shape) {  // golden widths 8, 12, 16, 24 → 5, 7, 9, 11 wherever they appear
      if (size == 8)
        size = widths[0];
      else if (size == 12)
        size = widths[1];
      else if (size == 16)
        size = widths[2];
      else if (size == 24)
        size = widths[3];
    }
    std::size_t count = 1;
    for (const std::uint64_t size : shape) count *= size;
    values = testing::seeded_uniform(count, static_cast<unsigned>(name.size() + count), -0.3f, 0.3f);
    return true;
  });
  AdaINNetwork network(directory.file("narrower.safetensors"));
  EXPECT_EQ(network.widths(), (AdaINWidths{5, 7, 9, 11}));
  const Tensor content = images(2, 17, 10, 1);  // ceil_mode pools: 17 → 9 → 5 → 3 and 10 → 5 → 3 → 2
  const AdaINEncoderFeatures features = network.encode(content);
  EXPECT_EQ(features.relu1_1.shape(), (Shape{2, 5, 17, 10}));
  EXPECT_EQ(features.relu2_1.shape(), (Shape{2, 7, 9, 5}));
  EXPECT_EQ(features.relu3_1.shape(), (Shape{2, 9, 5, 3}));
  EXPECT_EQ(features.relu4_1.shape(), (Shape{2, 11, 3, 2}));
  const AdaINStyleStatistics style = network.style_statistics(images(1, 12, 15, 2));
  EXPECT_EQ(style.mean.shape(), (Shape{1, 11}));
  EXPECT_EQ(network.stylize(content, style, 1.0f).shape(), (Shape{2, 3, 24, 16}));
}

TEST(AdaINNetwork, AlphaZeroKeepsTheContentFeatures) {
  AdaINNetwork network(testing::nn_golden_path(kGoldenWeights));
  const Tensor content = images(2, 20, 18, 3);
  const std::vector<float> features = values_of(network.encode(content).relu4_1);
  const AdaINStyleStatistics style = network.style_statistics(images(1, 16, 16, 4));
  EXPECT_EQ(values_of(network.transfer_features(content, style, 0.0f)), features);
  EXPECT_NE(values_of(network.transfer_features(content, style, 1.0f)), features);
  EXPECT_THROW(network.transfer_features(content, style, 1.5f), Error);
  EXPECT_THROW(network.stylize(content, style, -0.1f), Error);
}

TEST(AdaINNetwork, StyleStatisticsAreReusedAcrossCallsAndBatches) {
  AdaINNetwork network(testing::nn_golden_path(kGoldenWeights));
  const Tensor first = images(1, 19, 21, 5), second = images(1, 19, 21, 6);
  const AdaINStyleStatistics shared = network.style_statistics(images(1, 24, 16, 7));
  const std::vector<float> first_alone = values_of(network.stylize(first, shared, 0.8f));
  const std::vector<float> second_alone = values_of(network.stylize(second, shared, 0.8f));
  EXPECT_NE(first_alone, second_alone);
  // The same statistics, kept across calls, for a batch of both: each image as on its own (the arena was reused).
  Tensor both = Tensor::empty(Shape{2, 3, 19, 21}, DType::Float32, Device::Cpu);
  both.slice_rows(0, 1).copy_from(first);
  both.slice_rows(1, 2).copy_from(second);
  const std::vector<float> batch = values_of(network.stylize(both, shared, 0.8f));
  std::vector<float> expected(first_alone);
  expected.insert(expected.end(), second_alone.begin(), second_alone.end());
  // The convolutions batch images differently (one im2col per image, the same sgemm): equal to float rounding.
  testing::expect_all_close(batch, expected, 1e-6, 1e-5, "batched stylize");
  // Two style rows, one per content, give each content its own style.
  const AdaINStyleStatistics per_content = network.style_statistics(both);
  EXPECT_EQ(per_content.styles(), 2);
  const Tensor own = network.stylize(both, per_content, 1.0f);
  EXPECT_EQ(own.shape(), (Shape{2, 3, 24, 24}));
  for (const float value : values_of(own)) EXPECT_TRUE(value >= 0.0f && value <= 1.0f);
  EXPECT_THROW(network.stylize(images(3, 19, 21, 8), per_content, 1.0f), Error);  // 2 rows for 3 contents
  EXPECT_THROW(network.encode(images(1, 8, 30, 9)), Error);                       // relu4_1 would be 1 row
}

// Statistics written into kept tensors: the same values as a fresh computation, in the same storage for every later
// style of that shape, new storage when the number of styles changes.
TEST(AdaINNetwork, StyleStatisticsIntoKeptTensorsReuseTheirStorage) {
  AdaINNetwork network(testing::nn_golden_path(kGoldenWeights));
  AdaINStyleStatistics kept;
  network.style_statistics(images(1, 24, 16, 7), kept);
  const void* mean_storage = kept.mean.raw_data();
  const void* sigma_storage = kept.sigma.raw_data();
  for (const unsigned seed : {8u, 9u}) {
    const Tensor style = images(1, 24, 16, seed);
    network.style_statistics(style, kept);
    EXPECT_EQ(kept.mean.raw_data(), mean_storage);
    EXPECT_EQ(kept.sigma.raw_data(), sigma_storage);
    const AdaINStyleStatistics fresh = network.style_statistics(style);
    EXPECT_EQ(values_of(kept.mean), values_of(fresh.mean)) << seed;
    EXPECT_EQ(values_of(kept.sigma), values_of(fresh.sigma)) << seed;
  }
  network.style_statistics(images(2, 24, 16, 10), kept);
  EXPECT_EQ(kept.styles(), 2);
}

}  // namespace
}  // namespace genint
