// genint-eval as a subprocess on a folder with an undecodable file: the scores name the skipped file, a warning
// says so on stderr, and --strict makes the run fail (exit 65) after printing the scores.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::examples_testing {
namespace {

namespace fs = std::filesystem;

TEST(GenintEvalStrict, SkippedFilesAreReportedAndFailTheRunUnderStrict) {
  genint::testing::TemporaryDirectory folder("eval-strict");
  std::mt19937 generator(5);
  for (int label = 0; label < 2; ++label)
    for (int image = 0; image < 4; ++image)
      write_class_jpeg(folder.path() / "data" / ("c" + std::to_string(label)) / ("i" + std::to_string(image) + ".jpg"),
                       label, 20, generator);
  // A model to score: one step of genint-train on the same images.
  const std::string train = std::string("timeout 300 '") + GENINT_TRAIN_PROGRAM + "' --data '" + folder.file("data") +
                            "' --image-size 16 --batch-size 8 --num-classes 2 " +
                            "--small-input-stem --max-steps 1 --no-progress --output '" + folder.file("run") + "'";
  const genint::testing::ProgramRun trained = genint::testing::run_command(train);
  ASSERT_EQ(trained.exit_status, 0) << trained.output;
  const std::string model =
      nlohmann::json::parse(trained.output)["checkpoint"].get<std::string>() + "/model.safetensors";
  write_text(folder.path() / "data" / "c1" / "broken.jpg", "not a JPEG");

  const std::string eval = std::string("timeout 300 '") + GENINT_EVAL_PROGRAM + "' --model '" + model + "' --data '" +
                           folder.file("data") +
                           "' --num-classes 2 --small-input-stem --resize 16 --crop 16 --batch-size 4 " + "--threads 1";
  const genint::testing::ProgramRun lenient = genint::testing::run_command(eval);
  ASSERT_EQ(lenient.exit_status, 0) << lenient.output;
  const nlohmann::json scores = nlohmann::json::parse(lenient.output)["scores"];
  EXPECT_EQ(scores["skipped"], 1);
  ASSERT_EQ(scores["skipped_examples"].size(), 1u);
  EXPECT_NE(scores["skipped_examples"][0].get<std::string>().find("broken.jpg"), std::string::npos);
  EXPECT_EQ(scores["all_logits"]["samples"], 8);

  const genint::testing::ProgramRun strict = genint::testing::run_command(eval + " --strict");
  EXPECT_EQ(strict.exit_status, 65);
  EXPECT_EQ(nlohmann::json::parse(strict.output)["scores"]["skipped"], 1);  // the scores come first
}

}  // namespace
}  // namespace genint::examples_testing
