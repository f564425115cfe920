// genint-eval end to end on tiny fake trees: the expected accuracy is made known by predicting each image
// first (same eval transform, same model) and then filing it under its predicted class or another one.
#include "examples/evaluator/evaluator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "io/natural/natural_pipeline.h"
#include "nn/core/error.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::evaluator {
namespace {

constexpr int kClasses = 12;  // > 10, so string-sorted V2 folders ("10" < "2") would mislabel
constexpr int kSize = 16;

ResNetConfig tiny_model() {
  ResNetConfig config;
  config.num_classes = kClasses;
  config.small_input_stem = true;
  return config;
}

EvaluationSettings tiny_settings() {
  EvaluationSettings settings;
  settings.resize = kSize;
  settings.crop = kSize;
  settings.batch_size = 5;  // several batches, the last one short
  settings.threads = 2;
  return settings;
}

// The model's top-1 class for one file under the same eval transform.
int predict(ResNet& model, const std::filesystem::path& file, int border) {
  io::NaturalPipelineConfig config;
  config.output_size = kSize;
  config.mode = io::PipelineMode::Eval;
  config.eval_resize_size = kSize;
  config.border_crop_pixels = border;
  io::NaturalSampleMaker maker(config);
  std::vector<float> pixels(maker.output_values());
  maker.make_from_file(file.string(), 0, pixels.data());
  const Tensor logits = model.forward(model.upload_images(pixels.data(), 1, kSize, kSize), BatchNormMode::Eval);
  const float* row = logits.data<float>();
  return static_cast<int>(std::max_element(row, row + kClasses) - row);
}

TEST(Evaluator, ImageNetV2NumericFoldersScoreAsPredicted) {
  genint::testing::TemporaryDirectory folder;
  ResNet model(tiny_model());
  model.initialize_kaiming(3);
  std::mt19937 generator(9);
  int placed_correctly = 0;
  const int images = 12;
  for (int image = 0; image < images; ++image) {
    const std::filesystem::path staging = folder.path() / ("staging" + std::to_string(image) + ".jpg");
    examples_testing::write_class_jpeg(staging, image, kSize + 4, generator);
    const int predicted = predict(model, staging, 0);
    const bool correct = image % 3 != 0;  // 8 of 12 filed under their prediction
    const int label = correct ? predicted : (predicted + 1 + image % (kClasses - 1)) % kClasses;
    placed_correctly += correct ? 1 : 0;
    std::filesystem::create_directories(folder.path() / "v2" / std::to_string(label));
    std::filesystem::rename(staging,
                            folder.path() / "v2" / std::to_string(label) / ("i" + std::to_string(image) + ".jpg"));
  }
  for (int label = 0; label < kClasses; ++label)
    std::filesystem::create_directories(folder.path() / "v2" / std::to_string(label));
  const io::DatasetIndex index = io::build_dataset_index((folder.path() / "v2").string());
  ASSERT_EQ(index.layout(), io::DatasetLayout::ImageNetV2);
  const DatasetScores scores = evaluate_index(model, index, tiny_settings());
  EXPECT_EQ(scores.all_logits.samples, images);
  EXPECT_EQ(scores.all_logits.top1, placed_correctly);
  EXPECT_FALSE(scores.has_mapped_scoring);
  EXPECT_NE(scores_to_markdown("v2", scores).find("| v2 | all logits | 12 |"), std::string::npos);
}

TEST(Evaluator, UndecodableFilesAreCountedNamedAndReportedBesideTheScores) {
  genint::testing::TemporaryDirectory folder;
  ResNet model(tiny_model());
  model.initialize_kaiming(3);
  std::mt19937 generator(9);
  for (int image = 0; image < 4; ++image)
    examples_testing::write_class_jpeg(folder.path() / "set" / "a" / ("i" + std::to_string(image) + ".jpg"), image,
                                       kSize, generator);
  examples_testing::write_text(folder.path() / "set" / "a" / "not-a-jpeg.jpg", "plain text, not a JPEG");
  examples_testing::write_text(folder.path() / "set" / "a" / "empty.jpg", "");
  io::DatasetIndexOptions options;
  options.layout = io::DatasetLayout::ImageFolder;
  const io::DatasetIndex index = io::build_dataset_index((folder.path() / "set").string(), options);
  const DatasetScores scores = evaluate_index(model, index, tiny_settings());
  EXPECT_EQ(scores.all_logits.samples, 4);
  EXPECT_EQ(scores.skipped, 2);
  ASSERT_EQ(scores.skipped_examples.size(), 2u);
  const std::string examples = scores.skipped_examples[0] + " " + scores.skipped_examples[1];
  EXPECT_NE(examples.find("not-a-jpeg.jpg"), std::string::npos) << examples;
  EXPECT_NE(examples.find("empty.jpg"), std::string::npos) << examples;
  const nlohmann::json json = scores_to_json(scores);
  EXPECT_EQ(json["skipped"], 2);
  EXPECT_EQ(json["skipped_examples"].size(), 2u);
  EXPECT_NE(scores_to_markdown("set", scores).find("| set | all logits | 4 | 2 |"), std::string::npos);
}

TEST(Evaluator, ImageNetCComputesErrorsAndMce) {
  genint::testing::TemporaryDirectory folder;
  ResNet model(tiny_model());
  model.initialize_kaiming(4);
  std::mt19937 generator(11);
  // fog/1: 2 images, both filed under their prediction (error 0); fog/2: 2 images, none (error 1).
  for (int severity = 1; severity <= 2; ++severity) {
    for (int image = 0; image < 2; ++image) {
      const std::filesystem::path staging = folder.path() / "staging.jpg";
      examples_testing::write_class_jpeg(staging, image, kSize, generator);
      const int predicted = predict(model, staging, 0);
      const int label = severity == 1 ? predicted : (predicted + 1) % kClasses;
      char name[16];  // room for any int: GCC's -Wformat-truncation (at -O1, in CI's ASan build) checks the range
      std::snprintf(name, sizeof name, "c%02d", label);
      const std::filesystem::path target = folder.path() / "c" / "fog" / std::to_string(severity);
      for (int c = 0; c < kClasses; ++c) {
        char class_name[16];
        std::snprintf(class_name, sizeof class_name, "c%02d", c);
        std::filesystem::create_directories(target / class_name);
      }
      std::filesystem::rename(staging, target / name / ("i" + std::to_string(image) + ".jpg"));
    }
  }
  const CorruptionSummary summary =
      evaluate_imagenet_c(model, (folder.path() / "c").string(), tiny_settings(), alexnet_corruption_errors());
  EXPECT_DOUBLE_EQ(summary.error_by_severity.at("fog").at(1), 0.0);
  EXPECT_DOUBLE_EQ(summary.error_by_severity.at("fog").at(2), 1.0);
  // mean error 0.5 over AlexNet's fog 0.819324; one corruption, so mCE = that CE.
  EXPECT_NEAR(summary.mce, 0.5 / 0.819324, 1e-12);
}

TEST(Evaluator, PredictionsRecordEachFilesArgmaxAndProbabilities) {
  genint::testing::TemporaryDirectory folder;
  ResNet model(tiny_model());
  model.initialize_kaiming(5);
  std::mt19937 generator(4);
  const int images = 7;
  for (int image = 0; image < images; ++image)
    examples_testing::write_class_jpeg(
        folder.path() / "tree" / ("c" + std::to_string(image % 3)) / ("i" + std::to_string(image) + ".jpg"), image,
        kSize + 4, generator);
  const io::DatasetIndex index = io::build_dataset_index((folder.path() / "tree").string());
  EvaluationSettings settings = tiny_settings();
  settings.record_predictions = true;
  const DatasetScores scores = evaluate_index(model, index, settings);
  ASSERT_EQ(scores.predictions.size(), static_cast<std::size_t>(images));
  std::int64_t correct = 0;
  for (const SamplePrediction& prediction : scores.predictions) {
    EXPECT_EQ(prediction.predicted, predict(model, index.full_path(prediction.file), 0));
    EXPECT_EQ(prediction.label, index.label(prediction.file));
    EXPECT_GT(prediction.predicted_probability, 1.0f / kClasses);  // the argmax of a softmax beats uniform
    EXPECT_LE(prediction.label_probability, prediction.predicted_probability);
    if (prediction.predicted == prediction.label) {
      EXPECT_EQ(prediction.label_probability, prediction.predicted_probability);
      ++correct;
    }
  }
  EXPECT_EQ(correct, scores.all_logits.top1);
  const std::string csv = predictions_to_csv(index, scores.predictions);
  EXPECT_EQ(csv.rfind("file,label,prediction,prediction_probability,label_probability\n", 0), 0u);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), images + 1);
  const SamplePrediction& first = scores.predictions.front();
  EXPECT_NE(csv.find(std::string(index.stored_path(first.file)) + "," + std::to_string(first.label) + "," +
                     std::to_string(first.predicted) + ","),
            std::string::npos);
}

TEST(Evaluator, PredictionsAreNotKeptUnlessAsked) {
  genint::testing::TemporaryDirectory folder;
  ResNet model(tiny_model());
  model.initialize_kaiming(5);
  std::mt19937 generator(4);
  examples_testing::write_class_jpeg(folder.path() / "tree" / "c0" / "i.jpg", 0, kSize + 4, generator);
  const io::DatasetIndex index = io::build_dataset_index((folder.path() / "tree").string());
  EXPECT_TRUE(evaluate_index(model, index, tiny_settings()).predictions.empty());
}

}  // namespace
}  // namespace genint::evaluator
