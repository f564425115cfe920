// genint-train's step on the CPU against the reference step it replaced (upload, forward, the per-sample loss on
// the host logits, ResNet::backward, SGD): bit for bit equal losses, per-source losses and weights, for both
// image layouts; the Mixup loss against a hand recomputation from the batch's extras; and the step's bookkeeping.
#include "examples/trainer/training_step.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <genint.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "examples/trainer/trainer_options.h"
#include "nn/core/error.h"
#include "nn/ops/cross_entropy.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::trainer {
namespace {

using genint::testing::TemporaryDirectory;

constexpr int kBatch = 8;
constexpr int kClasses = 2;

// 2 classes × 8 images of 20×20; batches of 8.
std::string make_tiny_set(const std::filesystem::path& root) {
  std::mt19937 generator(5);
  for (int label = 0; label < kClasses; ++label)
    for (int image = 0; image < 8; ++image)
      examples_testing::write_class_jpeg(
          root / ("class" + std::to_string(label)) / ("i" + std::to_string(image) + ".jpg"), label, 20, generator);
  return root.string();
}

Loader make_loader(const std::string& root, const std::string& layout, bool mixup = false) {
  nlohmann::json config = nlohmann::json::parse(natural_folder_loader_config(root, 16, kBatch, 2, 3));
  config["image"]["layout"] = layout;
  if (mixup) config["mixup"] = {{"alpha", 0.4}};
  return Loader::from_json(config.dump());
}

ResNetConfig tiny_model() {
  ResNetConfig config;
  config.architecture = "resnet18";
  config.num_classes = kClasses;
  config.small_input_stem = true;
  return config;
}

// The step genint-train took before TrainingStep, kept here as the reference it must equal.
StepOutcome reference_step(ResNet& model, MomentumSgd& optimizer, const genint_batch& batch, float learning_rate) {
  const int count = batch.size;
  std::vector<float> weights(static_cast<std::size_t>(count)), losses(static_cast<std::size_t>(count));
  equation1_sample_weights(batch.sources, batch.weights, count, weights.data());
  const Tensor images =
      batch.layout == GENINT_LAYOUT_FLOAT32_CHW
          ? model.upload_images(static_cast<const float*>(batch.images), count, batch.image_size, batch.image_size)
          : model.upload_images(static_cast<const std::uint8_t*>(batch.images), count, batch.image_size,
                                batch.image_size);
  const Tensor logits = model.forward(images, BatchNormMode::Train);
  float unused_total = 0.0f;
  cross_entropy_forward_cpu(logits.data<float>(), batch.labels, weights.data(), count, kClasses, losses.data(),
                            &unused_total);
  StepOutcome outcome;
  outcome.sources = per_source_losses(batch.sources, losses.data(), count);
  outcome.loss = model.backward(batch.labels, count, weights.data());
  optimizer.step(learning_rate);
  return outcome;
}

// The batch's loss from the model's logits by the formula genint_batch_extras states, in double: Σ_i w_i·(lse_i −
// λ_i·z_i[y_i] − (1 − λ_i)·z_i[y′_i]), w = Eq. 1's weights; with `ignore_mixup` the plain Σ_i w_i·(lse_i − z_i[y_i]).
double hand_loss(const float* logits, const genint_batch& batch, const genint_batch_extras& extras, bool ignore_mixup) {
  std::vector<float> weights(static_cast<std::size_t>(batch.size));
  equation1_sample_weights(batch.sources, batch.weights, batch.size, weights.data());
  double total = 0.0;
  for (int sample = 0; sample < batch.size; ++sample) {
    const float* row = logits + static_cast<std::ptrdiff_t>(sample) * kClasses;
    double normalizer = 0.0;
    for (int column = 0; column < kClasses; ++column) normalizer += std::exp(static_cast<double>(row[column]));
    const double lambda = ignore_mixup ? 1.0 : extras.mixup_lambdas[sample];
    const double target =
        lambda * row[batch.labels[sample]] + (1.0 - lambda) * row[extras.mixup_partner_labels[sample]];
    total += weights[static_cast<std::size_t>(sample)] * (std::log(normalizer) - target);
  }
  return total;
}

// Whether the batch mixes some pair of different classes with 0 < λ < 1: only then does its Mixup loss differ
// from the plain one.
bool mixes_two_classes(const genint_batch& batch, const genint_batch_extras& extras) {
  for (int sample = 0; sample < batch.size; ++sample)
    if (extras.mixup_lambdas[sample] > 0.0f && extras.mixup_lambdas[sample] < 1.0f &&
        extras.mixup_partner_labels[sample] != batch.labels[sample])
      return true;
  return false;
}

void expect_same_parameters(const ResNet& expected, const ResNet& actual) {
  for (std::size_t index = 0; index < expected.state().size(); ++index) {
    const Tensor& left = expected.state()[index].value;
    const Tensor& right = actual.state()[index].value;
    EXPECT_EQ(std::memcmp(left.raw_data(), right.raw_data(), left.byte_count()), 0) << expected.state()[index].name;
  }
}

class TrainingStepLayouts : public ::testing::TestWithParam<const char*> {};

TEST_P(TrainingStepLayouts, CpuStepEqualsTheReferenceStepBitForBit) {
  TemporaryDirectory folder;
  Loader loader = make_loader(make_tiny_set(folder.path() / "data"), GetParam());
  ResNet reference_model(tiny_model()), model(tiny_model());
  reference_model.initialize_kaiming(1);
  model.initialize_kaiming(1);
  MomentumSgd reference_optimizer(reference_model, SgdOptions{}), optimizer(model, SgdOptions{});
  TrainingStep step(model, optimizer, kClasses, kBatch);
  for (int iteration = 0; iteration < 3; ++iteration) {
    BorrowedBatch batch(loader);
    const StepOutcome expected = reference_step(reference_model, reference_optimizer, batch.get(), 0.1f);
    step.submit(batch, loader.get(), 0.1f);
    ASSERT_EQ(step.in_flight(), 1);
    const StepOutcome actual = step.collect();
    EXPECT_EQ(actual.loss, expected.loss) << "step " << iteration;
    EXPECT_EQ(actual.sources.count, expected.sources.count) << "step " << iteration;
    EXPECT_EQ(actual.sources.mean_loss, expected.sources.mean_loss) << "step " << iteration;
  }
  expect_same_parameters(reference_model, model);
}

INSTANTIATE_TEST_SUITE_P(Layouts, TrainingStepLayouts, ::testing::Values("float32_chw", "uint8_hwc"));

// The step's loss on a Mixup batch equals the formula recomputed from the batch's extras and the logits of a twin
// model (same weights, same batch: the same train-mode forward), and differs from the loss that ignores Mixup.
TEST_P(TrainingStepLayouts, MixupStepMinimisesTheLossTheExtrasDescribe) {
  TemporaryDirectory folder;
  Loader loader = make_loader(make_tiny_set(folder.path() / "data"), GetParam(), true);
  ResNet twin(tiny_model()), model(tiny_model());
  MomentumSgd optimizer(model, SgdOptions{});
  TrainingStep step(model, optimizer, kClasses, kBatch);
  int mixed_batches = 0;
  for (int iteration = 0; iteration < 3; ++iteration) {
    twin.copy_state_from(model);
    BorrowedBatch batch(loader);
    const genint_batch& view = batch.get();
    const genint_batch_extras& extras = batch.extras();
    ASSERT_EQ(extras.mixup, 1);
    const Tensor images =
        view.layout == GENINT_LAYOUT_FLOAT32_CHW
            ? twin.upload_images(static_cast<const float*>(view.images), view.size, view.image_size, view.image_size)
            : twin.upload_images(static_cast<const std::uint8_t*>(view.images), view.size, view.image_size,
                                 view.image_size);
    const Tensor logits = twin.forward(images, BatchNormMode::Train);
    const double expected = hand_loss(logits.data<float>(), view, extras, false);
    const double plain = hand_loss(logits.data<float>(), view, extras, true);
    const bool mixed = mixes_two_classes(view, extras);
    mixed_batches += mixed ? 1 : 0;
    step.submit(batch, loader.get(), 0.1f);
    const StepOutcome outcome = step.collect();
    // float32 per-sample losses summed in double against an all-double recomputation: ~1e-7 relative.
    EXPECT_NEAR(outcome.loss, expected, 1e-5 * std::abs(expected)) << "step " << iteration << ", plain " << plain;
    if (mixed) {
      EXPECT_GT(std::abs(expected - plain), 1e-3 * std::abs(expected)) << "step " << iteration;
    }
  }
  EXPECT_GT(mixed_batches, 0) << "no batch mixed two classes: the test would not tell Mixup's loss from the plain one";
}

TEST(TrainingStep, StepsAreCollectedInOrderAndAtMostTwoAreInFlight) {
  TemporaryDirectory folder;
  Loader loader = make_loader(make_tiny_set(folder.path() / "data"), "float32_chw");
  ResNet model(tiny_model());
  MomentumSgd optimizer(model, SgdOptions{});
  TrainingStep step(model, optimizer, kClasses, kBatch);
  EXPECT_EQ(step.pipeline_depth(), 0);  // the CPU step is done when submit returns
  EXPECT_THROW(step.collect(), Error);
  std::vector<double> losses;
  for (int iteration = 0; iteration < TrainingStep::kSlots; ++iteration) {
    BorrowedBatch batch(loader);
    step.submit(batch, loader.get(), 0.0f);  // learning rate 0: the weights stay, so losses compare across steps
  }
  EXPECT_EQ(step.in_flight(), TrainingStep::kSlots);
  BorrowedBatch extra(loader);
  EXPECT_THROW(step.submit(extra, loader.get(), 0.0f), Error);
  const StepOutcome first = step.collect();
  const StepOutcome second = step.collect();
  EXPECT_EQ(step.in_flight(), 0);
  EXPECT_EQ(first.sources.count[GENINT_SOURCE_NATURAL], kBatch);
  EXPECT_EQ(second.sources.count[GENINT_SOURCE_NATURAL], kBatch);
  EXPECT_GT(first.loss, 0.0);
  EXPECT_GT(second.loss, 0.0);
}

TEST(TrainingStep, ALabelBeyondTheModelsClassesIsRefusedBeforeAnyWork) {
  TemporaryDirectory folder;
  Loader loader = make_loader(make_tiny_set(folder.path() / "data"), "float32_chw");
  ResNetConfig one_class = tiny_model();
  one_class.num_classes = 1;  // the set's labels are 0 and 1
  ResNet model(one_class);
  MomentumSgd optimizer(model, SgdOptions{});
  TrainingStep step(model, optimizer, 1, kBatch);
  BorrowedBatch batch(loader);
  EXPECT_THROW(step.submit(batch, loader.get(), 0.1f), Error);
  EXPECT_EQ(step.in_flight(), 0);
}

}  // namespace
}  // namespace genint::trainer
