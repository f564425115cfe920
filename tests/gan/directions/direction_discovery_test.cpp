// GANSpace discovery on a synthetic layer with one planted dominant direction: PCA finds it in activation
// space, the regression recovers the latent direction that produces it, and the closed form agrees.
#include "gan/directions/direction_discovery.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "nn/core/error.h"

namespace genint {
namespace {

constexpr int kLatent = 8;
constexpr int kFeatures = 64;
constexpr int kClasses = 4;

// h = W z + bias[class]: W = 6 u vᵀ + 0.02 N(0,1) — one direction dominates, planted by the test.
class PlantedLayer final : public ActivationSource {
 public:
  PlantedLayer() {
    std::mt19937_64 generator(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    planted_activation.resize(kFeatures);
    planted_latent.resize(kLatent);
    for (double& value : planted_activation) value = normal(generator);
    for (double& value : planted_latent) value = normal(generator);
    normalise(planted_activation);
    normalise(planted_latent);
    weight.resize(kFeatures * kLatent);
    for (int row = 0; row < kFeatures; ++row)
      for (int column = 0; column < kLatent; ++column)
        weight[static_cast<std::size_t>(row * kLatent + column)] = static_cast<float>(
            6.0 * planted_activation[static_cast<std::size_t>(row)] * planted_latent[static_cast<std::size_t>(column)] +
            0.02 * normal(generator));
    bias.resize(kClasses * kFeatures);
    for (float& value : bias) value = static_cast<float>(normal(generator));
  }
  static void normalise(std::vector<double>& vector) {
    double norm = 0.0;
    for (double value : vector) norm += value * value;
    for (double& value : vector) value /= std::sqrt(norm);
  }
  std::string layer() const override { return "planted"; }
  int latent_dimension() const override { return kLatent; }
  int class_count() const override { return kClasses; }
  int activation_dimension() const override { return kFeatures; }
  void compute(int batch, const float* latents, const float* class_vectors, double, float* output) override {
    for (int row = 0; row < batch; ++row) {
      int class_index = 0;
      while (class_vectors[row * kClasses + class_index] == 0.0f) ++class_index;
      for (int feature = 0; feature < kFeatures; ++feature) {
        double sum = bias[static_cast<std::size_t>(class_index * kFeatures + feature)];
        for (int column = 0; column < kLatent; ++column)
          sum += static_cast<double>(weight[static_cast<std::size_t>(feature * kLatent + column)]) *
                 latents[row * kLatent + column];
        output[row * kFeatures + feature] = static_cast<float>(sum);
      }
    }
  }
  std::vector<double> planted_activation, planted_latent;
  std::vector<float> weight, bias;
};

double absolute_cosine(const float* a, const std::vector<double>& b) {
  double dot = 0.0, norm = 0.0;
  for (std::size_t index = 0; index < b.size(); ++index) {
    dot += a[index] * b[index];
    norm += static_cast<double>(a[index]) * a[index];
  }
  return std::fabs(dot) / std::sqrt(norm);
}

PcaDiscoveryOptions planted_options() {
  PcaDiscoveryOptions options;
  options.components = 3;
  options.extra_tracked_components = 2;  // fewer than the rank (8): the truncating path of the streamed PCA
  options.samples = 4000;
  options.regression_samples = 4000;
  options.batch_size = 100;
  options.truncation = 0.8;
  options.seed = 99;
  options.classes = {2};
  return options;
}

TEST(DirectionDiscovery, PcaAndRegressionRecoverAPlantedDirection) {
  PlantedLayer layer;
  const DirectionSet set = discover_pca_directions(layer, planted_options());
  // The noise (spectral norm ≈ 0.02 (√64 + √8) ≈ 0.22 against 6) tilts W's top singular vectors by ≲ 0.04 rad
  // (cos ≥ 0.999); sampling adds less at 4 000 samples with the top eigenvalue ~700× the next. 0.99 keeps a
  // wide margin while a wrong direction of random orientation would give |cos| ~ 1/√D.
  EXPECT_GE(absolute_cosine(set.activation_direction(0), layer.planted_activation), 0.99);
  EXPECT_GE(absolute_cosine(set.latent_direction(0), layer.planted_latent), 0.99);
  // Almost all variance is in the planted direction: σ² · 36 of σ² (36 + 64 · 8 · 0.0004).
  EXPECT_GT(set.explained_variance[0] / set.total_variance, 0.99);
  // Activation mean of class 2 is its bias (E z = 0); the sample mean is off by ~stdev / √N = 5.3 / 63.
  for (int feature = 0; feature < kFeatures; ++feature) {
    EXPECT_NEAR(set.mean[static_cast<std::size_t>(feature)],
                layer.bias[static_cast<std::size_t>(2 * kFeatures + feature)], 0.4)
        << feature;
  }
  EXPECT_EQ(set.layer, "planted");
  EXPECT_EQ(set.method, DirectionMethod::Pca);
  EXPECT_EQ(set.samples, 4000u);
  EXPECT_NO_THROW(set.validate("planted"));
}

TEST(DirectionDiscovery, ClosedFormRecoversThePlantedDirection) {
  PlantedLayer layer;
  std::vector<float> mean(layer.bias.begin() + 2 * kFeatures, layer.bias.begin() + 3 * kFeatures);
  const DirectionSet set =
      closed_form_affine_directions(layer.weight, kFeatures, kLatent, kLatent, mean, biggan_latent_variance(0.8), 3);
  EXPECT_GE(absolute_cosine(set.activation_direction(0), layer.planted_activation), 0.99);
  EXPECT_GE(absolute_cosine(set.latent_direction(0), layer.planted_latent), 0.99);
  // PCA and closed form share their sign convention: same orientation, not just the same line.
  const DirectionSet pca = discover_pca_directions(layer, planted_options());
  double dot = 0.0;
  for (int index = 0; index < kLatent; ++index)
    dot += static_cast<double>(pca.latent_direction(0)[index]) * set.latent_direction(0)[index];
  EXPECT_GT(dot, 0.99);
  // stdev along the planted direction: σ_z · s₀ with s₀ ≈ 6.
  EXPECT_NEAR(set.stdevs[0], std::sqrt(biggan_latent_variance(0.8)) * 6.0, 0.05 * 6.0);
}

TEST(DirectionDiscovery, TruncatedNormalVarianceIsTheKnownValue) {
  // Var of N(0,1) on [−2, 2] = 1 − 4 φ(2) / (2 Φ(2) − 1) = 0.773741...; scales with t².
  EXPECT_NEAR(biggan_latent_variance(1.0), 0.7737413, 1e-6);
  EXPECT_NEAR(biggan_latent_variance(0.5), 0.25 * 0.7737413, 1e-6);
}

TEST(DirectionDiscovery, RefusesBadOptions) {
  PlantedLayer layer;
  PcaDiscoveryOptions options = planted_options();
  options.classes = {};
  EXPECT_THROW(discover_pca_directions(layer, options), Error);
  options = planted_options();
  options.classes = {kClasses};
  EXPECT_THROW(discover_pca_directions(layer, options), Error);
  options = planted_options();
  options.components = kLatent + 1;
  EXPECT_THROW(discover_pca_directions(layer, options), Error);
  options = planted_options();
  options.truncation = 0.0;
  EXPECT_THROW(discover_pca_directions(layer, options), Error);
}

}  // namespace
}  // namespace genint
