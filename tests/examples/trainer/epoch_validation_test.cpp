// genint-train's --val-data on the tiny set: one log line per due epoch, training bit for bit the same with and
// without it, the curve continued by a resume, the model state untouched by scoring, and bad folders refused first.
#include "examples/trainer/epoch_validation.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "examples/trainer/trainer.h"
#include "nn/core/error.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"
#include "tests/examples/support/tiny_training.h"

namespace genint::trainer {
namespace {

namespace fs = std::filesystem;
using examples_testing::make_tiny_set;
using examples_testing::make_tiny_validation_set;
using examples_testing::read_bytes;
using examples_testing::read_log;
using examples_testing::tiny_options;
using genint::testing::TemporaryDirectory;

std::vector<std::uint64_t> logged_epochs(const std::vector<nlohmann::json>& lines) {
  std::vector<std::uint64_t> epochs;
  for (const nlohmann::json& line : lines) epochs.push_back(line["epoch"].get<std::uint64_t>());
  return epochs;
}

void expect_same_checkpoint(const TrainingSummary& expected, const TrainingSummary& actual) {
  for (const char* file : {"model.safetensors", "optimizer.safetensors", "state.json"}) {
    const std::string bytes = read_bytes(fs::path(expected.last_checkpoint) / file);
    ASSERT_FALSE(bytes.empty()) << file;
    EXPECT_TRUE(bytes == read_bytes(fs::path(actual.last_checkpoint) / file)) << file << " differs";
  }
}

// Training with --val-data ends bit for bit where training without it ends; the log gets one validation line per
// epoch; a run stopped mid-epoch 2 and resumed continues the curve with the same scores and the same best epoch.
TEST(EpochValidation, LogsEveryEpochLeavesTrainingBitIdenticalAndResumesTheCurve) {
  TemporaryDirectory folder;
  const std::string data = make_tiny_set(folder.path() / "data");
  const std::string val = make_tiny_validation_set(folder.path() / "val");
  const auto options = [&](const char* run, bool validated) {
    TrainerOptions result = tiny_options(data, folder.path() / run);
    result.epochs = 3;            // 6 steps
    result.schedule.base = 0.02;  // the default 0.1 leaves the running statistics of 6 steps far off
    if (validated) result.val_data = val;
    return result;
  };
  const TrainingSummary without = run_training(options("plain", false));
  const TrainingSummary with = run_training(options("validated", true));
  expect_same_checkpoint(without, with);
  const std::vector<nlohmann::json> plain_steps = read_log(folder.path() / "plain");
  const std::vector<nlohmann::json> validated_steps = read_log(folder.path() / "validated");
  ASSERT_EQ(validated_steps.size(), 6u);
  for (std::size_t step = 0; step < 6; ++step) EXPECT_EQ(plain_steps[step]["loss"], validated_steps[step]["loss"]);

  EXPECT_TRUE(read_log(folder.path() / "plain", "validation").empty());
  const std::vector<nlohmann::json> lines = read_log(folder.path() / "validated", "validation");
  ASSERT_EQ(logged_epochs(lines), (std::vector<std::uint64_t>{1, 2, 3}));
  for (std::size_t index = 0; index < lines.size(); ++index) {
    const nlohmann::json& line = lines[index];
    EXPECT_EQ(line.size(), 8u)
        << line.dump();  // event, epoch, step, val_top1, val_top5, val_images, val_skipped, seconds
    EXPECT_EQ(line["step"], 2 * (index + 1)) << line.dump();  // 2 steps per epoch
    EXPECT_EQ(line["val_images"], 12) << line.dump();
    EXPECT_EQ(line["val_skipped"], 0) << line.dump();
    EXPECT_GE(line["val_top1"].get<double>(), 0.0);
    EXPECT_LE(line["val_top1"].get<double>(), line["val_top5"].get<double>());
    EXPECT_GE(line["seconds"].get<double>(), 0.0);
    std::printf("epoch %zu: val top-1 %.4f\n", index + 1, line["val_top1"].get<double>());
  }
  ASSERT_TRUE(with.validating && with.validation.last && with.validation.best);
  EXPECT_EQ(with.validation.last->epoch, 3u);
  EXPECT_EQ(with.validation.last->top1, lines.back()["val_top1"].get<double>());
  EXPECT_FALSE(without.validating);

  TrainerOptions first_part = options("parts", true);
  first_part.max_steps = 3;  // stops mid-epoch 2
  ASSERT_EQ(run_training(first_part).steps, 3);
  EXPECT_EQ(logged_epochs(read_log(folder.path() / "parts", "validation")), (std::vector<std::uint64_t>{1}));
  TrainerOptions second_part = options("parts", true);
  second_part.resume_from = "latest";
  const TrainingSummary resumed = run_training(second_part);
  expect_same_checkpoint(with, resumed);
  const std::vector<nlohmann::json> parts_lines = read_log(folder.path() / "parts", "validation");
  ASSERT_EQ(logged_epochs(parts_lines), (std::vector<std::uint64_t>{1, 2, 3}));
  for (std::size_t index = 0; index < 3; ++index) {
    EXPECT_EQ(parts_lines[index]["step"], lines[index]["step"]);
    EXPECT_EQ(parts_lines[index]["val_top1"], lines[index]["val_top1"]);
  }
  ASSERT_TRUE(resumed.validation.best && resumed.validation.last);  // the best may be epoch 1, before the resume
  EXPECT_EQ(resumed.validation.best->epoch, with.validation.best->epoch);
  EXPECT_EQ(resumed.validation.best->top1, with.validation.best->top1);
  EXPECT_EQ(resumed.validation.last->epoch, 3u);
}

// Every K-th epoch and the last one; none with K = 0 (genint-train then builds no EpochValidation at all).
TEST(EpochValidation, DueEveryKthEpochAndAfterTheLast) {
  TemporaryDirectory folder;
  TrainerOptions options = tiny_options(make_tiny_set(folder.path() / "data"), folder.path() / "run");
  options.val_data = make_tiny_validation_set(folder.path() / "val");
  options.epochs = 5;
  options.val_every_epochs = 2;
  const EpochValidation every_second(options, nlohmann::json::parse(options.loader_config_json));
  std::vector<bool> due;
  for (std::uint64_t epoch = 0; epoch <= 5; ++epoch) due.push_back(every_second.due(epoch));
  EXPECT_EQ(due, (std::vector<bool>{false, false, true, false, true, true}));
  options.val_every_epochs = 1;
  const EpochValidation every(options, nlohmann::json::parse(options.loader_config_json));
  for (std::uint64_t epoch = 1; epoch <= 5; ++epoch) EXPECT_TRUE(every.due(epoch)) << epoch;
}

// Eval mode reads the batch-norm running statistics and leaves every state tensor and num_batches_tracked as they
// were: scoring cannot change the training that follows.
TEST(EpochValidation, ScoringLeavesTheModelStateUntouched) {
  TemporaryDirectory folder;
  TrainerOptions options = tiny_options(make_tiny_set(folder.path() / "data"), folder.path() / "run");
  options.val_data = make_tiny_validation_set(folder.path() / "val");
  const EpochValidation validation(options, nlohmann::json::parse(options.loader_config_json));
  EXPECT_EQ(validation.images(), 12u);
  EXPECT_EQ(validation.settings().resize, 16);  // the loader config's image size
  EXPECT_EQ(validation.settings().crop, 16);
  EXPECT_EQ(validation.settings().threads, 2);  // --loader-threads
  ResNetConfig config;
  config.num_classes = 2;
  config.small_input_stem = true;
  ResNet model(config);
  std::vector<float> images(4 * 3 * 16 * 16);
  for (std::size_t index = 0; index < images.size(); ++index) images[index] = static_cast<float>(index % 7) - 3.0f;
  model.forward(model.upload_images(images.data(), 4, 16, 16), BatchNormMode::Train);  // running stats move off 0/1
  const auto values = [](const ResNetTensor& entry) {
    const float* begin = entry.value.data<float>();
    return std::vector<float>(begin, begin + entry.value.element_count());
  };
  std::vector<std::vector<float>> before;
  for (const ResNetTensor& entry : model.state()) before.push_back(values(entry));
  const std::int64_t tracked = model.num_batches_tracked();
  const ValidationScore score = validation.score(model, 8, 1, 2);
  EXPECT_EQ(score.images, 12);
  for (std::size_t index = 0; index < before.size(); ++index)
    EXPECT_TRUE(before[index] == values(model.state()[index])) << model.state()[index].name;
  EXPECT_EQ(model.num_batches_tracked(), tracked);
}

void expect_refused(const TrainerOptions& options, const std::string& fragment) {
  try {
    run_training(options);
    FAIL() << "not refused: " << fragment;
  } catch (const UsageError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(fragment), std::string::npos) << message;
  }
  EXPECT_FALSE(fs::exists(fs::path(options.output_dir) / "train-log.jsonl")) << "trained before refusing";
}

TEST(EpochValidation, BadFoldersAreRefusedBeforeTraining) {
  TemporaryDirectory folder;
  const std::string data = make_tiny_set(folder.path() / "data");
  TrainerOptions options = tiny_options(data, folder.path() / "run");
  options.val_data = (folder.path() / "missing").string();
  expect_refused(options, "--val-data: '" + options.val_data + "' is not a folder");
  fs::create_directories(folder.path() / "empty" / "class0");
  options.val_data = (folder.path() / "empty").string();
  expect_refused(options, "--val-data: '" + options.val_data + "' holds no images");
  std::mt19937 generator(1);
  for (int label = 0; label < 3; ++label)
    examples_testing::write_class_jpeg(folder.path() / "three" / ("c" + std::to_string(label)) / "a.jpg", label, 8,
                                       generator);
  options.val_data = (folder.path() / "three").string();
  expect_refused(options, "has 3 classes, more than --num-classes 2");
  options.val_data = data;
  options.val_crop = 20;  // the resize defaults to the image size, 16
  expect_refused(options, "--val-resize (16) must be at least --val-crop (20)");
}

}  // namespace
}  // namespace genint::trainer
