// genint-train's and genint-eval's command lines as subprocesses: --help names every option, bad numbers and
// out-of-range values are refused (exit 2) naming the option, before any data or model is read.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "support/command_line_checks.h"
#include "support/temporary_directory.h"

namespace genint::examples_testing {
namespace {

using ::genint::testing::expect_help_lists;
using ::genint::testing::expect_usage_error;

const std::string kTrain = "'" GENINT_TRAIN_PROGRAM "'";
const std::string kEval = "'" GENINT_EVAL_PROGRAM "'";

TEST(GenintTrainCommandLine, HelpListsEveryOption) {
  expect_help_lists(kTrain, {"--loader-config",
                             "--data",
                             "--image-size",
                             "--batch-size",
                             "--loader-threads",
                             "--seed",
                             "--arch",
                             "--num-classes",
                             "--small-input-stem",
                             "--device",
                             "--bf16",
                             "--init-seed",
                             "--epochs",
                             "--max-steps",
                             "--lr",
                             "--lr-schedule",
                             "--lr-step-epochs",
                             "--lr-gamma",
                             "--lr-min",
                             "--momentum",
                             "--weight-decay",
                             "--nesterov",
                             "--output",
                             "--checkpoint-every",
                             "--checkpoint-every-epochs",
                             "--keep-checkpoints",
                             "--log-every",
                             "--resume",
                             "--no-progress",
                             "--max-skipped-fraction",
                             "--val-data",
                             "--val-resize",
                             "--val-crop",
                             "--val-every-epochs"});
}

// Every architecture nn/models/resnet.h builds is offered, the CIFAR ones included.
TEST(GenintTrainCommandLine, HelpListsEveryArchitecture) {
  for (const std::string& program : {kTrain, kEval})
    expect_help_lists(
        program, {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152", "resnet20", "resnet32", "resnet56"});
}

TEST(GenintTrainCommandLine, BadValuesAreRefusedNamingTheOption) {
  const std::string run = kTrain + " --data /nonexistent --output /nonexistent/run ";
  expect_usage_error(run + "--epochs ten", "--epochs");
  expect_usage_error(run + "--epochs 0", "--epochs");
  expect_usage_error(run + "--lr -0.1", "--lr");
  expect_usage_error(run + "--momentum nan", "--momentum");
  expect_usage_error(run + "--init-seed -1", "--init-seed");
  expect_usage_error(run + "--lr-schedule linear", "--lr-schedule");
  expect_usage_error(run + "--arch vgg16", "--arch");
  expect_usage_error(run + "--arch resnet20 --small-input-stem", "--small-input-stem");  // it has its own stem
  expect_usage_error(run + "--max-skipped-fraction 1.5", "--max-skipped-fraction");
  expect_usage_error(run + "--loader-config c.json", "--loader-config");  // not with --data
  expect_usage_error(kTrain + " --data /nonexistent", "--output");        // checked before the loader starts
}

// A --val-data folder that cannot be scored is refused (exit 2) naming the option before the loader reads the
// (here missing) training data.
TEST(GenintTrainCommandLine, BadValidationFoldersAreRefusedBeforeTraining) {
  genint::testing::TemporaryDirectory folder("val-refusals");
  const auto touch = [](const std::filesystem::path& file) {
    std::filesystem::create_directories(file.parent_path());
    std::ofstream(file) << "indexed by its name, never decoded";
  };
  std::filesystem::create_directories(folder.path() / "no-images" / "class0");
  for (const char* name : {"a", "b", "c"}) touch(folder.path() / "three" / name / "i.jpg");
  const std::string run = kTrain + " --data /nonexistent --output '" + folder.file("run") + "' --num-classes 2 ";
  expect_usage_error(run + "--val-data /nonexistent-val", "--val-data: '/nonexistent-val' is not a folder");
  expect_usage_error(run + "--val-data '" + folder.file("no-images") + "'", "holds no images");
  expect_usage_error(run + "--val-data '" + folder.file("three") + "'", "has 3 classes, more than --num-classes 2");
  expect_usage_error(run + "--val-data '" + folder.file("three") + "' --val-resize 16 --val-crop 20", "--val-crop");
  expect_usage_error(run + "--val-every-epochs -1 --val-data '" + folder.file("three") + "'", "--val-every-epochs");
  expect_usage_error(run + "--val-crop 20", "--val-data");  // nothing to crop
  EXPECT_FALSE(std::filesystem::exists(folder.path() / "run" / "train-log.jsonl"));
}

TEST(GenintEvalCommandLine, HelpListsEveryOption) {
  expect_help_lists(kEval, {"--model", "--data", "--layout", "--arch", "--num-classes", "--small-input-stem",
                            "--resize", "--crop", "--border-crop", "--batch-size", "--threads", "--reference-errors",
                            "--json-out", "--markdown-out", "--predictions-out", "--strict"});
}

TEST(GenintEvalCommandLine, BadValuesAreRefusedNamingTheOption) {
  const std::string run = kEval + " --model /nonexistent.safetensors --data /nonexistent ";
  expect_usage_error(run + "--crop 22.4", "--crop");
  expect_usage_error(run + "--border-crop -2", "--border-crop");
  expect_usage_error(run + "--threads 0", "--threads");
  expect_usage_error(run + "--arch resnet56 --small-input-stem", "--small-input-stem");
  expect_usage_error(run + "--layout folders", "--layout");
  expect_usage_error(run + "--layout imagenet-c --predictions-out p.csv", "--predictions-out");
  expect_usage_error(kEval + " --data /nonexistent", "--model");
}

}  // namespace
}  // namespace genint::examples_testing
