// The committed demo generator (gan/demo, trained by tools/train_demo_gan.py): it loads through BigGanWeights,
// the C++ forward matches the reference package's outputs, and its PCA and closed-form directions agree.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_discovery.h"
#include "gan/directions/direction_set.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/golden_file.h"

namespace genint {
namespace {

const std::string kWeights = GENINT_DEMO_DIR "/generator.safetensors";
const std::string kCases = GENINT_DEMO_DIR "/reference_cases.safetensors";

// Same reasoning as tests/gan/biggan/biggan_golden_test.cpp: float32 sums in another order (torch's conv kernels
// against OpenBLAS im2col GEMM) over ~30 layers of a trained net whose widest reduction is 9·64 = 576 terms. The
// trained weights amplify round-off more than random ones; 2e-5 is far below what a wrong statistics set does
// (the t = 1 and t = 0.4 images differ by ~1, see StandingStatisticsDependOnTruncation). Measured: 1e-6.
constexpr float kImageTolerance = 2e-5f;

std::vector<float> generate(BigGanGenerator& generator, const std::vector<float>& z, const std::vector<float>& classes,
                            double truncation) {
  const int batch = static_cast<int>(classes.size()) / generator.config().num_classes;
  BigGanInputs inputs;
  inputs.latents = z.data();
  inputs.class_vectors = classes.data();
  inputs.truncation = truncation;
  const int resolution = generator.resolution();
  std::vector<float> images(static_cast<std::size_t>(batch) * 3 * resolution * resolution);
  generator.forward(batch, inputs, images.data());
  return images;
}

TEST(DemoGenerator, LoadsThroughBigGanWeights) {
  const BigGanWeights weights = BigGanWeights::load(kWeights);
  EXPECT_EQ(weights.config.output_dim, 32);
  EXPECT_EQ(weights.config.num_classes, 10);  // fashion-scenes' classes
  EXPECT_TRUE(weights.config.has_attention());
  EXPECT_EQ(weights.config.n_stats, 51);
  const io::SafetensorsFile file = io::SafetensorsFile::open(kWeights);
  ASSERT_EQ(file.metadata().count("trained_by"), 1u) << "the file must say how it was made";
  EXPECT_EQ(file.metadata().at("trained_by"), "tools/train_demo_gan.py");
}

class DemoForward : public ::testing::TestWithParam<double> {};

TEST_P(DemoForward, MatchesTheReferencePackage) {
  BigGanGenerator generator = BigGanGenerator::load(kWeights);
  const io::SafetensorsFile cases = io::SafetensorsFile::open(kCases);
  const std::string suffix = GetParam() == 1.0 ? "1.0" : "0.4";
  const std::vector<float> images =
      generate(generator, cases.read<float>("z_truncation_" + suffix), cases.read<float>("class_vectors"), GetParam());
  const float difference = testing::max_abs_difference(images, cases.read<float>("images_truncation_" + suffix));
  RecordProperty("max_abs_difference", std::to_string(difference));
  EXPECT_LE(difference, kImageTolerance);
}

INSTANTIATE_TEST_SUITE_P(GridTruncations, DemoForward, ::testing::Values(1.0, 0.4));

// The exported standing statistics are per truncation: the same z through the t = 1 and t = 0.4 sets must differ
// (all 51 sets equal would mean the statistics pass did not run), and every output must be finite.
TEST(DemoGenerator, StandingStatisticsDependOnTruncation) {
  BigGanGenerator generator = BigGanGenerator::load(kWeights);
  const io::SafetensorsFile cases = io::SafetensorsFile::open(kCases);
  const std::vector<float> z = cases.read<float>("z_truncation_0.4"), classes = cases.read<float>("class_vectors");
  const std::vector<float> at_one = generate(generator, z, classes, 1.0);
  const std::vector<float> at_low = generate(generator, z, classes, 0.4);
  for (float value : at_low) ASSERT_TRUE(std::isfinite(value));
  EXPECT_GT(testing::max_abs_difference(at_one, at_low), 0.05f);
}

double absolute_cosine(const float* a, const float* b, int size) {
  double dot = 0.0, norm_a = 0.0, norm_b = 0.0;
  for (int index = 0; index < size; ++index) {
    dot += static_cast<double>(a[index]) * b[index];
    norm_a += static_cast<double>(a[index]) * a[index];
    norm_b += static_cast<double>(b[index]) * b[index];
  }
  return std::fabs(dot) / std::sqrt(norm_a * norm_b);
}

// Issue 6's acceptance on a trained generator. One class: gen_z is affine in z, so for one class the population
// PCA is exactly the closed form, and what separates the two estimates is sampling, which resolves a component only
// where its eigenvalue stands apart from the next. The 2 400-iteration generator's W_z spectrum was nearly flat (3.7,
// 3.5, 3.4 % of the variance: |cos| 0.997 and 0.995 at N = 200 000); this one's, after 15 000 iterations, decays
// (18.4, 10.6, 6.3, 2.9 % over all classes), and the two top components agree to |cos| 0.99997 (activation) and
// 0.9998 (latent) at N = 200 000 (measured, class 3, seed 11). The test runs N = 200 000 (13-25 s on 2 cores) and
// holds the two top components to the 0.99.
TEST(DemoGenerator, PcaAgreesWithTheClosedFormOnTheTopComponents) {
  constexpr int kTop = 2;
  const BigGanWeights weights = BigGanWeights::load(kWeights);
  ClosedFormOptions closed_options;
  closed_options.components = weights.config.z_dim;
  closed_options.classes = {3};
  const DirectionSet closed = closed_form_directions(weights, closed_options);
  BigGanGenerator generator(weights);
  BigGanActivationSource source(generator);
  PcaDiscoveryOptions options;
  options.components = weights.config.z_dim;  // all of them, as the measurement above (genint-gan directions)
  options.samples = 200'000;
  options.regression_samples = 20'000;
  options.batch_size = 64;
  options.seed = 11;
  options.classes = {3};
  const DirectionSet pca = discover_pca_directions(source, options);
  for (int component = 0; component < kTop; ++component) {
    const double activation = absolute_cosine(pca.activation_direction(component),
                                              closed.activation_direction(component), pca.activation_dimension);
    const double latent =
        absolute_cosine(pca.latent_direction(component), closed.latent_direction(component), pca.latent_dimension);
    RecordProperty("component_" + std::to_string(component) + "_activation_cosine", std::to_string(activation));
    RecordProperty("component_" + std::to_string(component) + "_latent_cosine", std::to_string(latent));
    // 0.99: the threshold; the fixed seed makes the outcome deterministic (measured above).
    EXPECT_GE(activation, 0.99) << "component " << component;
    EXPECT_GE(latent, 0.99) << "component " << component;
    // Eigenvalue to sampling accuracy: √(2/N) = 0.32 % relative at N = 200 000; 2 % is ~6 of those.
    EXPECT_NEAR(pca.explained_variance[static_cast<std::size_t>(component)],
                closed.explained_variance[static_cast<std::size_t>(component)],
                0.02 * closed.explained_variance[static_cast<std::size_t>(component)]);
  }
}

}  // namespace
}  // namespace genint
