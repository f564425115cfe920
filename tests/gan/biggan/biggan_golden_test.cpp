// The CPU BigGAN-deep forward against the real pytorch-pretrained-biggan (tools/golden/make_biggan_goldens.py):
// a small random model's images, gen_z and every block's output; the full 128 model's tensor names and shapes.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/golden_file.h"

namespace genint {
namespace {

const std::string kWeights = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny.safetensors";
const std::string kCases = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny_cases.safetensors";
const std::string kBlocks = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny_blocks.safetensors";
const std::string kLayout128 = GENINT_TEST_DATA_DIR "/golden/gan/biggan_deep_128_layout.json";

// Images are tanh outputs in [−1, 1] after ~30 float32 layers. torch (its own conv kernels) and genint
// (OpenBLAS im2col GEMM) sum the same products in different orders, each sum carrying ~K·2^-24 relative
// round-off (K ≤ 288 here), compounded over the depth; measured max |difference| is 4e-7 (OpenBLAS 0.3.21,
// torch 1.13). 5e-6 leaves ~12× for other BLAS builds and thread counts, and is 10^5 below the change the
// swapped interpolation makes (0.6).
constexpr float kImageTolerance = 5e-6f;
// gen_z is one 32-term dot product plus bias per output (measured: bit-identical); allow a few ulps of |x| < 1.
constexpr float kGenZTolerance = 1e-6f;

using testing::max_abs_difference;

class BigGanGoldenTest : public ::testing::Test {
 protected:
  BigGanGoldenTest()
      : generator_(BigGanGenerator::load(kWeights)),
        cases_(io::SafetensorsFile::open(kCases)),
        z_(cases_.read<float>("z")),
        classes_(cases_.read<float>("class_vectors")),
        batch_(static_cast<int>(cases_.tensor("z").shape[0])) {}

  std::vector<float> run(double truncation, const float* layer_latents = nullptr) {
    BigGanInputs inputs;
    inputs.latents = z_.data();
    inputs.layer_latents = layer_latents;
    inputs.class_vectors = classes_.data();
    inputs.truncation = truncation;
    const int resolution = generator_.resolution();
    std::vector<float> images(static_cast<std::size_t>(batch_) * 3 * resolution * resolution);
    generator_.forward(batch_, inputs, images.data());
    return images;
  }

  BigGanGenerator generator_;
  io::SafetensorsFile cases_;
  std::vector<float> z_, classes_;
  int batch_;
};

TEST_F(BigGanGoldenTest, ConfigComesFromTheMetadata) {
  EXPECT_EQ(generator_.config().output_dim, 32);
  EXPECT_EQ(generator_.config().z_dim, 16);
  EXPECT_EQ(generator_.config().block_count(), 6);
  EXPECT_TRUE(generator_.config().has_attention());
  EXPECT_EQ(batch_, 3);
}

TEST_F(BigGanGoldenTest, TruncationOneMatchesReference) {
  EXPECT_LE(max_abs_difference(run(1.0), cases_.read<float>("images_truncation_1.0")), kImageTolerance);
}

TEST_F(BigGanGoldenTest, GridTruncationMatchesReference) {
  EXPECT_LE(max_abs_difference(run(0.4), cases_.read<float>("images_truncation_0.4")), kImageTolerance);
}

TEST_F(BigGanGoldenTest, OffGridTruncationsInterpolateCorrectly) {
  EXPECT_LE(max_abs_difference(run(0.43), cases_.read<float>("images_truncation_0.43")), kImageTolerance);
  EXPECT_LE(max_abs_difference(run(0.415), cases_.read<float>("images_truncation_0.415")), kImageTolerance);
}

TEST_F(BigGanGoldenTest, OffGridDiffersFromTheReferencesSwappedInterpolation) {
  // The golden can tell the two interpolations apart: the reference's swapped weights move pixels far
  // beyond the tolerance.
  EXPECT_GT(max_abs_difference(run(0.415), cases_.read<float>("images_truncation_0.415_reference_swapped")),
            100.0f * kImageTolerance);
}

TEST_F(BigGanGoldenTest, PerLayerLatentsMatchGanSpaceForward) {
  const std::vector<float> layer_latents = cases_.read<float>("layer_latents");
  ASSERT_EQ(cases_.tensor("layer_latents").shape[0], static_cast<std::uint64_t>(generator_.config().latent_count()));
  EXPECT_LE(
      max_abs_difference(run(0.4, layer_latents.data()), cases_.read<float>("images_layer_latents_truncation_0.4")),
      kImageTolerance);
}

TEST_F(BigGanGoldenTest, GenZOutputMatchesReference) {
  const std::vector<float> expected = cases_.read<float>("gen_z_truncation_1.0");
  std::vector<float> gen_z(expected.size());
  generator_.forward_gen_z(batch_, z_.data(), classes_.data(), gen_z.data());
  EXPECT_LE(max_abs_difference(gen_z, expected), kGenZTolerance);
  run(1.0);
  const std::vector<float> last(generator_.last_gen_z(), generator_.last_gen_z() + expected.size());
  EXPECT_LE(max_abs_difference(last, expected), kGenZTolerance);
}

TEST_F(BigGanGoldenTest, SmallerBatchReusesBuffersAndAgrees) {
  const std::vector<float> full = run(1.0);
  const int resolution = generator_.resolution();
  const std::size_t image_floats = 3u * static_cast<std::size_t>(resolution) * resolution;
  const int reserved = generator_.reserved_batch();
  BigGanInputs inputs;
  inputs.latents = z_.data() + generator_.config().z_dim;  // sample 1 alone
  inputs.class_vectors = classes_.data() + generator_.config().num_classes;
  std::vector<float> single(image_floats);
  generator_.forward(1, inputs, single.data());
  EXPECT_EQ(generator_.reserved_batch(), reserved);
  const std::vector<float> expected(full.begin() + static_cast<std::ptrdiff_t>(image_floats),
                                    full.begin() + static_cast<std::ptrdiff_t>(2 * image_floats));
  EXPECT_LE(max_abs_difference(single, expected), kImageTolerance);
}

TEST_F(BigGanGoldenTest, HookSeesEveryModuleAndCanEditGenZ) {
  std::vector<std::string> names;
  generator_.set_activation_hook([&](const BigGanActivation& activation) {
    names.push_back(*activation.name);
    if (*activation.name == "generator.gen_z") {
      EXPECT_EQ(activation.channels, generator_.config().gen_z_features());
      std::fill(activation.data, activation.data + static_cast<std::ptrdiff_t>(activation.batch) * activation.channels,
                0.0f);
    }
  });
  const std::vector<float> edited = run(1.0);
  const std::vector<std::string> expected = {"generator.gen_z",    "generator.layers.0", "generator.layers.1",
                                             "generator.layers.2", "generator.layers.3", "generator.layers.4",
                                             "generator.layers.5", "generator.layers.6"};
  EXPECT_EQ(names, expected);
  EXPECT_GT(max_abs_difference(edited, cases_.read<float>("images_truncation_1.0")), 100.0f * kImageTolerance);
  generator_.set_activation_hook({});
  EXPECT_LE(max_abs_difference(run(1.0), cases_.read<float>("images_truncation_1.0")), kImageTolerance);
}

// Each module's output on its own, so an error shows at the block that makes it rather than only in the image.
// Before tanh the activations reach |x| ≈ 2.7, and the sums behind each one run over up to 288 terms per conv
// in a different order than torch's: measured worst difference 5.4e-7 over all blocks (OpenBLAS 0.3.21, torch
// 1.13). 2e-5 absolute + 1e-5 relative leaves > 30× for other BLAS builds and thread counts, and is far below
// what a wrong weight, layout or statistics set changes (O(0.1)).
constexpr float kBlockAbsoluteTolerance = 2e-5f;
constexpr float kBlockRelativeTolerance = 1e-5f;

TEST_F(BigGanGoldenTest, EveryBlockOutputMatchesReference) {
  const io::SafetensorsFile blocks = io::SafetensorsFile::open(kBlocks);
  ASSERT_EQ(blocks.read<float>("z"), z_);
  ASSERT_EQ(blocks.read<float>("class_vectors"), classes_);
  const double truncation = std::stod(blocks.metadata().at("truncation"));
  std::vector<std::string> seen;
  generator_.set_activation_hook([&](const BigGanActivation& activation) {
    const std::string& name = *activation.name;
    seen.push_back(name);
    ASSERT_TRUE(blocks.contains(name)) << name;
    const std::vector<float> expected = blocks.read<float>(name);
    const std::size_t count =
        static_cast<std::size_t>(activation.batch) * activation.channels * activation.height * activation.width;
    ASSERT_EQ(count, expected.size()) << name;
    for (std::size_t index = 0; index < count; ++index) {
      const float difference = std::fabs(activation.data[index] - expected[index]);
      ASSERT_LE(difference, kBlockAbsoluteTolerance + kBlockRelativeTolerance * std::fabs(expected[index]))
          << name << " element " << index;
    }
  });
  EXPECT_LE(max_abs_difference(run(truncation), blocks.read<float>("images")), kImageTolerance);
  const std::vector<std::string> expected_names = {"generator.gen_z",    "generator.layers.0", "generator.layers.1",
                                                   "generator.layers.2", "generator.layers.3", "generator.layers.4",
                                                   "generator.layers.5", "generator.layers.6"};
  EXPECT_EQ(seen, expected_names);
}

// The loader's stop flag, set while block 1 runs (from its hook), ends the forward before block 2: no later
// hook fires and the images are left as they were.
TEST_F(BigGanGoldenTest, StopFlagEndsTheForwardBetweenBlocks) {
  std::atomic<bool> stop{false};
  std::vector<std::string> names;
  generator_.set_activation_hook([&](const BigGanActivation& activation) {
    names.push_back(*activation.name);
    if (*activation.name == "generator.layers.1") stop.store(true);
  });
  BigGanInputs inputs;
  inputs.latents = z_.data();
  inputs.class_vectors = classes_.data();
  const int resolution = generator_.resolution();
  std::vector<float> images(static_cast<std::size_t>(batch_) * 3 * resolution * resolution, 7.0f);
  EXPECT_FALSE(generator_.forward(batch_, inputs, images.data(), &stop));
  EXPECT_EQ(names, (std::vector<std::string>{"generator.gen_z", "generator.layers.0", "generator.layers.1"}));
  EXPECT_TRUE(std::all_of(images.begin(), images.end(), [](float value) { return value == 7.0f; }));
  // A flag that stays false changes nothing: the same call runs to the end and matches the reference.
  stop.store(false);
  generator_.set_activation_hook({});
  EXPECT_TRUE(generator_.forward(batch_, inputs, images.data(), &stop));
  EXPECT_LE(max_abs_difference(images, cases_.read<float>("images_truncation_1.0")), kImageTolerance);
}

// A safetensors file in memory holding zeros under the given names and shapes, with a converted file's metadata.
std::vector<std::uint8_t> zero_weight_file(const nlohmann::json& tensors, const std::string& config_json) {
  nlohmann::json header = nlohmann::json::object();
  header["__metadata__"] = {{"format", kBigGanWeightFormat}, {"config", config_json}};
  std::uint64_t offset = 0;
  for (const nlohmann::json& entry : tensors) {
    std::uint64_t elements = 1;
    for (const nlohmann::json& extent : entry[1]) elements *= extent.get<std::uint64_t>();
    header[entry[0].get<std::string>()] = {
        {"dtype", "F32"}, {"shape", entry[1]}, {"data_offsets", {offset, offset + elements * sizeof(float)}}};
    offset += elements * sizeof(float);
  }
  std::string text = header.dump();
  text.append((8 - text.size() % 8) % 8, ' ');
  const std::uint64_t header_length = text.size();
  std::vector<std::uint8_t> bytes;
  bytes.reserve(8 + text.size() + offset);
  for (int shift = 0; shift < 64; shift += 8) bytes.push_back(static_cast<std::uint8_t>(header_length >> shift));
  bytes.insert(bytes.end(), text.begin(), text.end());
  bytes.resize(bytes.size() + offset, 0);
  return bytes;
}

// Sizes of every tensor of a BigGanWeights in one fixed order, and their sum.
std::vector<std::size_t> tensor_sizes(const BigGanWeights& weights) {
  std::vector<std::size_t> sizes = {weights.embeddings.size(), weights.gen_z_weight.size(), weights.gen_z_bias.size()};
  const auto add_norm = [&sizes](const BigGanNormWeights& norm) {
    for (const std::vector<float>* part :
         {&norm.running_means, &norm.running_vars, &norm.scale, &norm.offset, &norm.weight, &norm.bias})
      sizes.push_back(part->size());
  };
  const auto add_conv = [&sizes](const BigGanConvWeights& conv) {
    sizes.push_back(conv.weight.size());
    sizes.push_back(conv.bias.size());
  };
  for (const BigGanBlockWeights& block : weights.blocks) {
    for (const BigGanNormWeights& norm : block.norms) add_norm(norm);
    for (const BigGanConvWeights& conv : block.convs) add_conv(conv);
  }
  for (const BigGanConvWeights* conv :
       {&weights.attention.theta, &weights.attention.phi, &weights.attention.g, &weights.attention.o})
    add_conv(*conv);
  if (weights.config.has_attention()) sizes.push_back(1);  // gamma, a scalar
  add_norm(weights.final_norm);
  add_conv(weights.to_rgb);
  return sizes;
}

std::int64_t statistics_values(const BigGanWeights& weights) {
  std::int64_t values = static_cast<std::int64_t>(weights.final_norm.running_means.size() * 2);
  for (const BigGanBlockWeights& block : weights.blocks)
    for (const BigGanNormWeights& norm : block.norms)
      values += static_cast<std::int64_t>(norm.running_means.size() * 2);
  return values;
}

// pytorch-pretrained-biggan's 128 model after tools/convert_biggan.py: genint's loader, given that config,
// accepts exactly those names and shapes (it refuses a missing, misshaped or unexplained tensor), genint's
// random weights for the config have the same sizes, and the parameter count is the reference's.
TEST(BigGanDeep128Layout, TheConvertedTensorsAreExactlyWhatGenintReadsForThe128Config) {
  std::ifstream layout_file(kLayout128);
  ASSERT_TRUE(layout_file) << kLayout128;
  const nlohmann::json layout = nlohmann::json::parse(layout_file);
  const std::string config_json = layout.at("config").dump();
  const BigGanConfig config = BigGanConfig::from_json(config_json, kLayout128);
  EXPECT_EQ(config.output_dim, 128);
  EXPECT_EQ(config.block_count(), 10);
  const nlohmann::json& tensors = layout.at("converted_tensors");
  std::vector<std::size_t> loaded_sizes;
  std::int64_t loaded_statistics = 0;
  {
    const BigGanWeights loaded = BigGanWeights::from_file(
        io::SafetensorsFile::take_bytes(zero_weight_file(tensors, config_json), "biggan-deep-128 layout"));
    loaded_sizes = tensor_sizes(loaded);
    loaded_statistics = statistics_values(loaded);
  }
  const BigGanWeights random = random_biggan_weights(config, 1);
  EXPECT_EQ(tensor_sizes(random), loaded_sizes);
  std::int64_t converted = 0;
  for (std::size_t size : loaded_sizes) converted += static_cast<std::int64_t>(size);
  // The reference counts parameters: not the statistics buffers, but all channel_width outputs of conv_to_rgb
  // (weight 3×3 and bias), of which the converter keeps 3.
  const std::int64_t width = config.channel_width;
  const std::int64_t dropped_rgb = (width - 3) * (width * 9 + 1);
  EXPECT_EQ(converted - loaded_statistics + dropped_rgb, layout.at("reference_parameter_count").get<std::int64_t>());
  EXPECT_EQ(layout.at("reference_parameter_count").get<std::int64_t>(), 50388609);  // facts.md: 50.4 M
}

}  // namespace
}  // namespace genint
