// The CPU BigGAN-deep forward against the real pytorch-pretrained-biggan on a small random model
// (tools/golden/make_biggan_goldens.py): grid and off-grid truncations, per-layer latents, gen_z, hooks.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "io/safetensors/safetensors_reader.h"

namespace genint {
namespace {

const std::string kWeights = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny.safetensors";
const std::string kCases = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny_cases.safetensors";

// Images are tanh outputs in [−1, 1] after ~30 float32 layers. torch (its own conv kernels) and genint
// (OpenBLAS im2col GEMM) sum the same products in different orders, each sum carrying ~K·2^-24 relative
// round-off (K ≤ 288 here), compounded over the depth; measured max |difference| is 4e-7 (OpenBLAS 0.3.21,
// torch 1.13). 5e-6 leaves ~12× for other BLAS builds and thread counts, and is 10^5 below the change the
// swapped interpolation makes (0.6).
constexpr float kImageTolerance = 5e-6f;
// gen_z is one 32-term dot product plus bias per output (measured: bit-identical); allow a few ulps of |x| < 1.
constexpr float kGenZTolerance = 1e-6f;

float max_abs_difference(const std::vector<float>& actual, const std::vector<float>& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  float worst = 0.0f;
  for (std::size_t index = 0; index < std::min(actual.size(), expected.size()); ++index) {
    worst = std::max(worst, std::fabs(actual[index] - expected[index]));
  }
  return worst;
}

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

}  // namespace
}  // namespace genint
