// BigGAN-deep config parsing, converted-weight validation (missing, misshaped, left-over tensors) and the
// truncation → batch-norm statistics choice, including where genint deliberately differs from the reference.
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "gan/biggan/biggan_config.h"
#include "gan/biggan/biggan_truncation.h"
#include "gan/biggan/biggan_weights.h"
#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

const std::string kWeights = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny.safetensors";

const char* kTinyConfig = R"({"output_dim": 32, "z_dim": 16, "class_embed_dim": 16, "channel_width": 8,
  "num_classes": 10, "layers": [[false, 16, 16], [true, 16, 8], [false, 8, 4], [true, 4, 2], [false, 2, 2],
  [true, 2, 1]], "attention_layer_position": 4, "eps": 0.0001, "n_stats": 51})";

std::string with_replaced(std::string text, const std::string& from, const std::string& to) {
  const std::size_t where = text.find(from);
  EXPECT_NE(where, std::string::npos) << from;
  if (where != std::string::npos) text.replace(where, from.size(), to);
  return text;
}

// Expects `action` to throw a genint::Error whose message contains every one of `fragments`.
void expect_error_mentioning(const std::function<void()>& action, const std::vector<std::string>& fragments) {
  try {
    action();
    ADD_FAILURE() << "expected a genint::Error";
  } catch (const Error& error) {
    for (const std::string& fragment : fragments) {
      EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what() << "\nlacks " << fragment;
    }
  }
}

TEST(BigGanConfigTest, ParsesTheReferenceKeys) {
  const BigGanConfig config = BigGanConfig::from_json(kTinyConfig, "tiny.json");
  EXPECT_EQ(config.block_count(), 6);
  EXPECT_EQ(config.latent_count(), 7);
  EXPECT_EQ(config.gen_z_features(), 4 * 4 * 16 * 8);
  EXPECT_EQ(config.module_index_of_block(3), 3);
  EXPECT_EQ(config.module_index_of_block(4), 5);  // the attention module is generator.layers.4
  EXPECT_EQ(config.attention_channels(), 16);
  EXPECT_EQ(config.attention_resolution(), 16);
  EXPECT_EQ(config.block_out_resolution(5), 32);
  EXPECT_FLOAT_EQ(config.eps, 1e-4f);
}

TEST(BigGanConfigTest, RealModelConfigIsAccepted) {
  // A full-size 256-pixel layout (12 GenBlocks, attention before block 8), shaped like biggan-deep-256's.
  const std::string config_256 = R"({"output_dim": 256, "z_dim": 128, "class_embed_dim": 128, "channel_width": 128,
    "num_classes": 1000, "layers": [[false, 16, 16], [true, 16, 16], [false, 16, 16], [true, 16, 8], [false, 8, 8],
    [true, 8, 8], [false, 8, 4], [true, 4, 4], [false, 4, 2], [true, 2, 2], [false, 2, 1], [true, 1, 1]],
    "attention_layer_position": 8, "eps": 0.0001, "n_stats": 51})";
  const BigGanConfig config = BigGanConfig::from_json(config_256, "biggan-deep-256.json");
  EXPECT_EQ(config.gen_z_features(), 32768);
  EXPECT_EQ(config.attention_resolution(), 64);
  EXPECT_EQ(config.attention_channels(), 512);
  EXPECT_EQ(config.module_index_of_block(11), 12);
}

TEST(BigGanConfigTest, RefusesNetworksTheReferenceCouldNotRun) {
  expect_error_mentioning([] { BigGanConfig::from_json(with_replaced(kTinyConfig, "\"z_dim\": 16, ", ""), "a.json"); },
                          {"a.json", "z_dim"});
  expect_error_mentioning(
      [] { BigGanConfig::from_json(with_replaced(kTinyConfig, "[false, 8, 4]", "[false, 8, 3]"), "b.json"); },
      {"b.json", "layers[2]", "half"});
  expect_error_mentioning([] { BigGanConfig::from_json(with_replaced(kTinyConfig, "32", "64"), "c.json"); },
                          {"c.json", "output_dim is 64"});
  expect_error_mentioning(
      [] { BigGanConfig::from_json(with_replaced(kTinyConfig, "[false, 16, 16]", "[false, 8, 16]"), "d.json"); },
      {"d.json", "layers[0]"});
  expect_error_mentioning([] { BigGanConfig::from_json("{\"z_dim\": ", "e.json"); }, {"e.json", "JSON"});
  expect_error_mentioning(
      [] { BigGanConfig::from_json(with_replaced(kTinyConfig, "\"eps\": 0.0001", "\"eps\": \"x\""), "f.json"); },
      {"f.json", "eps"});
}

class BigGanWeightFileTest : public ::testing::Test {
 protected:
  BigGanWeightFileTest() : golden_(io::SafetensorsFile::open(kWeights)) {}

  // The golden file with `skip` left out, `reshape` stored flattened and an optional extra tensor.
  std::string variant(const std::string& skip, const std::string& reshape, const std::string& extra,
                      const std::string& format = kBigGanWeightFormat) {
    io::SafetensorsWriter writer;
    for (const io::SafetensorsTensor& tensor : golden_.tensors()) {
      if (tensor.name == skip) continue;
      auto shape = tensor.shape;
      if (tensor.name == reshape) shape = {tensor.element_count};
      writer.add_tensor(tensor.name, tensor.dtype, shape, tensor.data, static_cast<std::size_t>(tensor.byte_size));
    }
    if (!extra.empty()) writer.add<float>(extra, {1}, {0.5f});
    for (const auto& [key, value] : golden_.metadata()) writer.set_metadata(key, value);
    writer.set_metadata("format", format);
    const std::string path = (directory_.path() / ("variant_" + std::to_string(files_++) + ".safetensors")).string();
    writer.write_file(path);
    return path;
  }

  io::SafetensorsFile golden_;
  genint::testing::TemporaryDirectory directory_{"biggan-weights"};
  int files_ = 0;
};

TEST_F(BigGanWeightFileTest, GoldenFileLoadsWithEveryTensorUsed) {
  const BigGanWeights weights = BigGanWeights::load(variant("", "", ""));
  EXPECT_EQ(weights.blocks.size(), 6u);
  EXPECT_EQ(weights.to_rgb.out_channels, 3);
  EXPECT_EQ(weights.to_rgb.weight.size(), 3u * 8 * 3 * 3);
  EXPECT_NE(weights.attention.gamma, 0.0f);
}

TEST_F(BigGanWeightFileTest, MissingTensorIsNamed) {
  const std::string path = variant("generator.layers.5.bn_2.scale.weight", "", "");
  expect_error_mentioning([&] { BigGanWeights::load(path); },
                          {path, "generator.layers.5.bn_2.scale.weight", "missing", "[4, 32]"});
}

TEST_F(BigGanWeightFileTest, MisshapedTensorIsNamedWithBothShapes) {
  const std::string path = variant("", "generator.layers.4.snconv1x1_g.weight", "");
  expect_error_mentioning([&] { BigGanWeights::load(path); },
                          {"generator.layers.4.snconv1x1_g.weight", "[128]", "[8, 16, 1, 1]"});
}

TEST_F(BigGanWeightFileTest, LeftOverTensorIsNamed) {
  const std::string path = variant("", "", "generator.layers.9.conv_0.weight");
  expect_error_mentioning([&] { BigGanWeights::load(path); }, {"generator.layers.9.conv_0.weight", "not part"});
}

TEST_F(BigGanWeightFileTest, UnconvertedFileIsRefused) {
  const std::string path = variant("", "", "", "pytorch");
  expect_error_mentioning([&] { BigGanWeights::load(path); }, {path, "convert_biggan.py"});
}

TEST(BigGanTruncationTest, GridPointsPickOneSet) {
  EXPECT_EQ(truncation_statistics(1.0, 51).lower, 50);
  EXPECT_EQ(truncation_statistics(1.0, 51).upper_weight, 0.0);
  EXPECT_EQ(truncation_statistics(0.4, 51).lower, 20);
  EXPECT_EQ(truncation_statistics(0.4, 51).upper_weight, 0.0);
  EXPECT_EQ(truncation_statistics(0.02, 51).lower, 1);
  // The reference's modf sees 0.14 / 0.02 = 7.000000000000001 and (with its swapped weights) uses set 8;
  // genint uses set 7, the grid point's own.
  EXPECT_EQ(truncation_statistics(0.14, 51).lower, 7);
  EXPECT_EQ(truncation_statistics(0.14, 51).upper_weight, 0.0);
  EXPECT_EQ(truncation_statistics(0.58, 51).lower, 29);
  EXPECT_EQ(truncation_statistics(static_cast<double>(0.94f), 51).lower, 47);  // went through float
  EXPECT_EQ(truncation_statistics(static_cast<double>(0.94f), 51).upper_weight, 0.0);
}

TEST(BigGanTruncationTest, BetweenGridPointsWeightsTheNearerSetMore) {
  const TruncationStatistics choice = truncation_statistics(0.415, 51);
  EXPECT_EQ(choice.lower, 20);
  EXPECT_NEAR(choice.upper_weight, 0.75, 1e-12);  // 0.415 / 0.02 = 20.75 up to double round-off
  const std::vector<float> sets = {0.0f, 10.0f, 100.0f, 1000.0f, 200.0f, 2000.0f};  // 3 sets × 2 channels
  const TruncationStatistics between = truncation_statistics(0.25, 3);              // halfway between sets 0 and 1
  std::vector<float> output(2);
  interpolate_statistics(between, sets.data(), 2, output.data());
  EXPECT_FLOAT_EQ(output[0], 50.0f);
  EXPECT_FLOAT_EQ(output[1], 505.0f);
  const TruncationStatistics nearer_upper = truncation_statistics(0.875, 3);  // 1.75 steps: 0.25·set1 + 0.75·set2
  interpolate_statistics(nearer_upper, sets.data(), 2, output.data());
  EXPECT_FLOAT_EQ(output[0], 175.0f);
  EXPECT_FLOAT_EQ(output[1], 1750.0f);
}

TEST(BigGanTruncationTest, OutOfRangeIsRefused) {
  for (const double truncation : {0.0, -0.1, 1.0000001, 2.0}) {
    expect_error_mentioning([&] { truncation_statistics(truncation, 51); }, {"truncation"});
  }
}

}  // namespace
}  // namespace genint
