// Eq. 1 weighting of genint-train against hand computations: w_i = λ_s / n_s, and Σ_i w_i·CE_i equals
// Σ_s λ_s · mean CE of source s, with absent sources contributing nothing.
#include "examples/trainer/source_weighting.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "examples/trainer/trainer_options.h"
#include "nn/core/error.h"
#include "nn/ops/cross_entropy.h"

namespace genint::trainer {
namespace {

TEST(SourceWeighting, WeightsAreLambdaOverSourceCount) {
  // 3 natural (λ 1), 2 intervention (λ 0.2), 1 transferred (λ 0.5).
  const std::vector<std::int32_t> sources = {0, 0, 0, 1, 1, 2};
  const std::vector<float> lambdas = {1.0f, 1.0f, 1.0f, 0.2f, 0.2f, 0.5f};
  std::vector<float> weights(sources.size());
  equation1_sample_weights(sources.data(), lambdas.data(), 6, weights.data());
  const std::vector<float> expected = {1.0f / 3, 1.0f / 3, 1.0f / 3, 0.1f, 0.1f, 0.5f};
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_FLOAT_EQ(weights[i], expected[i]) << "sample " << i;
}

TEST(SourceWeighting, WeightedCrossEntropyIsEquationOne) {
  // Two classes; logits chosen so each CE is easy to write down: CE = log(1 + e^{-margin}).
  const std::vector<float> logits = {2, 0, 0, 1, 3, 0, 0, 0.5f, 1, 0};
  const std::vector<std::int32_t> labels = {0, 1, 0, 1, 1};
  const std::vector<std::int32_t> sources = {0, 0, 0, 1, 1};
  const std::vector<float> lambdas = {1.0f, 1.0f, 1.0f, 0.05f, 0.05f};
  std::vector<float> weights(5), sample_losses(5);
  equation1_sample_weights(sources.data(), lambdas.data(), 5, weights.data());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), 5, 2, sample_losses.data(), &loss);
  auto ce = [](double margin) { return std::log1p(std::exp(-margin)); };
  const double natural_mean = (ce(2) + ce(1) + ce(3)) / 3;
  const double intervention_mean = (ce(0.5) + ce(-1)) / 2;
  // float32 logits and sums of five terms: 1e-6 relative is ~10 float ulps.
  EXPECT_NEAR(loss, 1.0 * natural_mean + 0.05 * intervention_mean, 1e-6);
  const SourceLosses per_source = per_source_losses(sources.data(), sample_losses.data(), 5);
  EXPECT_EQ(per_source.count[0], 3);
  EXPECT_EQ(per_source.count[1], 2);
  EXPECT_EQ(per_source.count[2], 0);
  EXPECT_NEAR(per_source.mean_loss[0], natural_mean, 1e-6);
  EXPECT_NEAR(per_source.mean_loss[1], intervention_mean, 1e-6);
  EXPECT_EQ(per_source.mean_loss[2], 0.0);
}

TEST(SourceWeighting, AbsentSourceAndSingleSource) {
  const std::vector<std::int32_t> sources = {0, 0, 2};
  const std::vector<float> lambdas = {1.0f, 1.0f, 0.2f};
  std::vector<float> weights(3);
  equation1_sample_weights(sources.data(), lambdas.data(), 3, weights.data());
  EXPECT_FLOAT_EQ(weights[0], 0.5f);
  EXPECT_FLOAT_EQ(weights[2], 0.2f);
}

TEST(SourceWeighting, SourceKindOutOfRangeThrowsNamingTheSample) {
  const std::vector<std::int32_t> sources = {0, 7};
  const std::vector<float> lambdas = {1.0f, 1.0f};
  std::vector<float> weights(2);
  try {
    equation1_sample_weights(sources.data(), lambdas.data(), 2, weights.data());
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("sample 1"), std::string::npos) << error.what();
  }
}

TEST(TrainerOptions, ParsesFlagsAndRejectsUnknownOnes) {
  const TrainerOptions options = parse_trainer_arguments(
      {"--data", "/tmp/x", "--image-size", "32", "--batch-size", "16", "--output", "/tmp/o", "--arch", "resnet50",
       "--lr-schedule", "cosine", "--lr", "0.05", "--small-input-stem", "--epochs", "4"});
  EXPECT_EQ(options.architecture, "resnet50");
  EXPECT_TRUE(options.small_input_stem);
  EXPECT_EQ(options.epochs, 4);
  EXPECT_EQ(options.schedule.kind, LearningRateSchedule::Kind::Cosine);
  EXPECT_DOUBLE_EQ(options.schedule.base, 0.05);
  EXPECT_EQ(options.schedule.total_epochs, 4);  // cosine anneals over the run's own epochs
  EXPECT_DOUBLE_EQ(options.schedule.at(2), 0.025);
  EXPECT_NE(options.loader_config_json.find("\"size\":32"), std::string::npos) << options.loader_config_json;
  EXPECT_THROW(parse_trainer_arguments({"--bogus"}), Error);
  EXPECT_THROW(parse_trainer_arguments({"--epochs", "ten"}), Error);
  TrainerOptions defaults;
  EXPECT_EQ(defaults.schedule.kind, LearningRateSchedule::Kind::Step);
  EXPECT_DOUBLE_EQ(defaults.schedule.at(29), 0.1);
  EXPECT_NEAR(defaults.schedule.at(30), 0.01, 1e-12);
  defaults.loader_config_json = "{}";
  defaults.output_dir = "/tmp/o";
  defaults.device = "tpu";
  EXPECT_THROW(defaults.validate(), Error);
}

}  // namespace
}  // namespace genint::trainer
