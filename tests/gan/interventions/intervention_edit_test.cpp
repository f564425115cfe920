// Intervention edits: the formulas of each space, seed regeneration, option refusals, and the tiny BigGAN run
// end to end (latent edits through per-layer latents, activation edits through the gen_z hook).
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_discovery.h"
#include "gan/interventions/intervention_sampler.h"
#include "gan/sampling/truncated_normal.h"
#include "nn/core/error.h"

namespace genint {
namespace {

const std::string kTinyModel = std::string(GENINT_TEST_DATA_DIR) + "/golden/gan/biggan_tiny.safetensors";

class InterventionEdits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    weights_ = new BigGanWeights(BigGanWeights::load(kTinyModel));
    ClosedFormOptions options;
    options.components = 6;
    options.classes = {0};
    directions_ = new DirectionSet(closed_form_directions(*weights_, options));
  }
  static void TearDownTestSuite() {
    delete weights_;
    delete directions_;
  }
  static InterventionOptions options(InterventionSpace space) {
    InterventionOptions result;
    result.space = space;
    result.truncation = 0.6;
    result.top_k = 4;
    result.step_range = 2.0;
    return result;
  }
  static double dot(const float* a, const float* b, int size) {
    double sum = 0.0;
    for (int index = 0; index < size; ++index) sum += static_cast<double>(a[index]) * b[index];
    return sum;
  }
  static BigGanWeights* weights_;
  static DirectionSet* directions_;
  const std::vector<std::uint64_t> seeds_ = {11, 12345, 987654321};
  const std::vector<int> classes_ = {1, 4, 9};
};
BigGanWeights* InterventionEdits::weights_ = nullptr;
DirectionSet* InterventionEdits::directions_ = nullptr;

TEST_F(InterventionEdits, LatentEditMovesOnlyTheChosenLayersAlongTheDirection) {
  InterventionOptions chosen = options(InterventionSpace::Latent);
  chosen.layer_begin = 2;
  chosen.layer_end = 5;
  const InterventionSampler sampler(weights_->config, directions_, chosen);
  InterventionBatch batch;
  sampler.reserve(3, batch);
  sampler.sample(seeds_.data(), classes_.data(), 3, batch);
  const int z_dim = weights_->config.z_dim;
  ASSERT_EQ(batch.layer_latents.size(), static_cast<std::size_t>(weights_->config.latent_count() * 3 * z_dim));
  for (int row = 0; row < 3; ++row) {
    const InterventionRecord& record = batch.records[static_cast<std::size_t>(row)];
    EXPECT_EQ(record.class_index, classes_[static_cast<std::size_t>(row)]);
    EXPECT_EQ(record.layer_begin, 2);
    EXPECT_EQ(record.layer_end, 5);
    const float* z = batch.latents.data() + row * z_dim;
    const std::vector<float> regenerated = biggan_latents({seeds_[static_cast<std::size_t>(row)]}, z_dim, 0.6f);
    for (int index = 0; index < z_dim; ++index) EXPECT_EQ(z[index], regenerated[static_cast<std::size_t>(index)]);
    const float* direction = directions_->latent_direction(record.direction);
    for (int layer = 0; layer < weights_->config.latent_count(); ++layer) {
      const float* edited = batch.layer_latents.data() + (layer * 3 + row) * z_dim;
      const double expected_step = (layer >= 2 && layer < 5) ? record.step : 0.0;  // latent stdev is 1
      for (int index = 0; index < z_dim; ++index) {
        // float32 sums of values ≤ ~5: a few ulps, 1e-5 absolute.
        EXPECT_NEAR(edited[index] - z[index], expected_step * direction[index], 1e-5) << layer << " " << index;
      }
    }
  }
}

TEST_F(InterventionEdits, CentredEditsSetTheCoordinateToTheStep) {
  const InterventionSampler latent(weights_->config, directions_, options(InterventionSpace::LatentCentred));
  const InterventionSampler activation(weights_->config, directions_, options(InterventionSpace::ActivationCentred));
  const int z_dim = weights_->config.z_dim, features = directions_->activation_dimension;
  std::vector<float> z(static_cast<std::size_t>(z_dim)), edited(static_cast<std::size_t>(z_dim));
  std::vector<float> h(static_cast<std::size_t>(features));
  for (std::uint64_t seed : seeds_) {
    const InterventionRecord record = latent.draw(seed, 2);
    truncated_normal(seed, z_dim, 2.0f, z.data());
    latent.edit_latent(record, z.data(), edited.data());
    const float* direction = directions_->latent_direction(record.direction);
    EXPECT_NEAR(dot(edited.data(), direction, z_dim), record.step, 1e-5);  // latent mean 0, stdev 1
    const InterventionRecord act_record = activation.draw(seed, 2);
    for (int index = 0; index < features; ++index)
      h[static_cast<std::size_t>(index)] = std::sin(0.37f * index + static_cast<float>(seed % 7));
    activation.edit_activation(act_record, h.data());
    std::vector<float> centred(h);
    for (int index = 0; index < features; ++index)
      centred[static_cast<std::size_t>(index)] -= directions_->mean[static_cast<std::size_t>(index)];
    const double stdev = directions_->stdevs[static_cast<std::size_t>(act_record.direction)];
    // 2048 float32 products of O(1) values: the dot product's round-off is ~1e-4 relative to its terms.
    EXPECT_NEAR(dot(centred.data(), directions_->activation_direction(act_record.direction), features),
                stdev * act_record.step, 1e-3);
    EXPECT_EQ(act_record.layer_begin, 0);  // generator.gen_z
    EXPECT_EQ(act_record.layer_end, 1);
  }
}

TEST_F(InterventionEdits, ObservationalSamplesCarryNoEdit) {
  const InterventionSampler sampler(weights_->config, nullptr, options(InterventionSpace::Observational));
  InterventionBatch batch;
  sampler.sample(seeds_.data(), nullptr, 3, batch);
  EXPECT_TRUE(batch.layer_latents.empty());
  for (const InterventionRecord& record : batch.records) {
    EXPECT_EQ(record.direction, -1);
    EXPECT_EQ(record.step, 0.0f);
    EXPECT_EQ(record.space, InterventionSpace::Observational);
    EXPECT_GE(record.class_index, 0);
    EXPECT_LT(record.class_index, weights_->config.num_classes);
  }
  EXPECT_EQ(generator_inputs(batch).layer_latents, nullptr);
}

TEST_F(InterventionEdits, RefusesOptionsThatDoNotFit) {
  InterventionOptions bad = options(InterventionSpace::Latent);
  bad.top_k = directions_->components + 1;
  EXPECT_THROW(InterventionSampler(weights_->config, directions_, bad), Error);
  bad = options(InterventionSpace::Latent);
  bad.layer_begin = 3;
  bad.layer_end = 3;
  EXPECT_THROW(InterventionSampler(weights_->config, directions_, bad), Error);
  bad = options(InterventionSpace::Latent);
  bad.layer_end = weights_->config.latent_count() + 1;
  EXPECT_THROW(InterventionSampler(weights_->config, directions_, bad), Error);
  EXPECT_THROW(InterventionSampler(weights_->config, nullptr, options(InterventionSpace::Activation)), Error);
  bad = options(InterventionSpace::Latent);
  bad.classes = {weights_->config.num_classes};
  EXPECT_THROW(InterventionSampler(weights_->config, directions_, bad), Error);
  EXPECT_THROW(parse_intervention_space("pixel"), Error);
  EXPECT_EQ(parse_intervention_space("activation_centred"), InterventionSpace::ActivationCentred);
}

// gen_z is affine: adding stdev_j s' u_j to its output equals adding σ_z s' v_j to the latent that feeds gen_z
// only (latent 0), since u_j stdev_j = W_z v_j σ_z. Both paths through the real forward must give one image.
TEST_F(InterventionEdits, ActivationEditAtGenZEqualsTheLatentEditOfLayerZero) {
  BigGanGenerator generator(*weights_);
  const InterventionSampler by_activation(weights_->config, directions_, options(InterventionSpace::Activation));
  InterventionBatch activation_batch;
  by_activation.sample(seeds_.data(), classes_.data(), 3, activation_batch);
  const int image_floats = 3 * generator.resolution() * generator.resolution();
  std::vector<float> edited_images(static_cast<std::size_t>(3 * image_floats)), plain_images(edited_images.size());
  generator.forward(3, generator_inputs(activation_batch), plain_images.data());
  generator.set_activation_hook(by_activation.activation_hook(activation_batch));
  generator.forward(3, generator_inputs(activation_batch), edited_images.data());
  generator.set_activation_hook({});

  DirectionSet latent_directions = *directions_;
  latent_directions.latent_stdevs.assign(latent_directions.latent_stdevs.size(),
                                         static_cast<float>(std::sqrt(biggan_latent_variance(1.0))));
  InterventionOptions layer_zero = options(InterventionSpace::Latent);
  layer_zero.layer_end = 1;
  const InterventionSampler by_latent(weights_->config, &latent_directions, layer_zero);
  InterventionBatch latent_batch;
  by_latent.sample(seeds_.data(), classes_.data(), 3, latent_batch);
  std::vector<float> latent_images(edited_images.size());
  generator.forward(3, generator_inputs(latent_batch), latent_images.data());

  double edit_size = 0.0, largest_difference = 0.0;
  for (std::size_t index = 0; index < edited_images.size(); ++index) {
    edit_size = std::max(edit_size, static_cast<double>(std::fabs(edited_images[index] - plain_images[index])));
    largest_difference =
        std::max(largest_difference, static_cast<double>(std::fabs(edited_images[index] - latent_images[index])));
  }
  RecordProperty("largest_image_change", std::to_string(edit_size));
  RecordProperty("largest_path_difference", std::to_string(largest_difference));
  EXPECT_GT(edit_size, 1e-3);  // the edit changed the images, so the comparison means something
  // Two float32 routes to the same gen_z output (rounding ~1e-7 relative), amplified by the network: 1e-4.
  EXPECT_LT(largest_difference, 1e-4);
}

// A latent edit over every layer through layer_latents equals feeding the edited z as the shared latent.
TEST_F(InterventionEdits, FullRangeLayerLatentsEqualTheSharedEditedLatent) {
  BigGanGenerator generator(*weights_);
  const InterventionSampler sampler(weights_->config, directions_, options(InterventionSpace::LatentCentred));
  InterventionBatch batch;
  sampler.sample(seeds_.data(), classes_.data(), 3, batch);
  const int image_floats = 3 * generator.resolution() * generator.resolution();
  std::vector<float> per_layer(static_cast<std::size_t>(3 * image_floats)), shared(per_layer.size());
  generator.forward(3, generator_inputs(batch), per_layer.data());
  BigGanInputs inputs = generator_inputs(batch);
  inputs.layer_latents = nullptr;
  inputs.latents = batch.layer_latents.data();  // latent 0's slice: every layer holds the same edited z
  generator.forward(3, inputs, shared.data());
  for (std::size_t index = 0; index < per_layer.size(); ++index) ASSERT_EQ(per_layer[index], shared[index]) << index;
}

}  // namespace
}  // namespace genint
