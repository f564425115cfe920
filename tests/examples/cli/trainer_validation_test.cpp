// genint-train --val-data as a subprocess: one "[val]" line per epoch on stderr (even with --no-progress), the
// summary's val_top1/best_val_top1, and the last val top-1 equal to genint-eval's on the final checkpoint.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::examples_testing {
namespace {

namespace fs = std::filesystem;

std::size_t count_occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

TEST(GenintTrainValidation, LastValTop1IsGenintEvalsOnTheFinalCheckpoint) {
  genint::testing::TemporaryDirectory folder("train-val");
  std::mt19937 generator(5);
  for (int label = 0; label < 2; ++label) {
    for (int image = 0; image < 8; ++image)
      write_class_jpeg(folder.path() / "data" / ("c" + std::to_string(label)) / ("i" + std::to_string(image) + ".jpg"),
                       label, 20, generator);
    // Validation: 3 of the class's colour and 7 of random colours, whose predictions move with the weights.
    for (int image = 0; image < 10; ++image) {
      const fs::path file =
          folder.path() / "val" / ("c" + std::to_string(label)) / ("v" + std::to_string(image) + ".jpg");
      if (image < 3)
        write_class_jpeg(file, label, 24, generator);
      else
        write_random_colour_jpeg(file, 24, generator);
    }
  }
  // 12 px crops of 14 px resizes: not the training size, so the sizes reach the scoring.
  const std::string sizes = " --val-resize 14 --val-crop 12";
  const std::string train = std::string("timeout 300 '") + GENINT_TRAIN_PROGRAM + "' --data '" + folder.file("data") +
                            "' --image-size 16 --batch-size 8 --loader-threads 2 --num-classes 2 --small-input-stem " +
                            "--epochs 2 --lr 0.02 --no-progress --output '" + folder.file("run") + "' --val-data '" +
                            folder.file("val") + "'" + sizes + " 2> '" + folder.file("train.err") + "'";
  const genint::testing::ProgramRun trained = genint::testing::run_command(train);
  const std::string errors = read_bytes(folder.path() / "train.err");
  ASSERT_EQ(trained.exit_status, 0) << trained.output << errors;
  const nlohmann::json summary = nlohmann::json::parse(trained.output);
  EXPECT_EQ(count_occurrences(errors, "[val] epoch "), 2u) << errors;
  EXPECT_NE(errors.find("[val] epoch 2/2: top-1 "), std::string::npos) << errors;
  ASSERT_TRUE(summary["val_top1"].is_number()) << summary.dump();
  ASSERT_TRUE(summary["best_val_top1"].is_number()) << summary.dump();
  EXPECT_GE(summary["best_val_top1"].get<double>(), summary["val_top1"].get<double>());
  const auto best_epoch = summary["best_val_epoch"].get<int>();
  EXPECT_TRUE(best_epoch == 1 || best_epoch == 2) << summary.dump();

  const std::string eval = std::string("timeout 300 '") + GENINT_EVAL_PROGRAM + "' --model '" +
                           summary["checkpoint"].get<std::string>() + "/model.safetensors' --data '" +
                           folder.file("val") + "' --num-classes 2 --small-input-stem --resize 14 --crop 12 " +
                           "--batch-size 8 --threads 1";
  const genint::testing::ProgramRun evaluated = genint::testing::run_command(eval);
  ASSERT_EQ(evaluated.exit_status, 0) << evaluated.output;
  const nlohmann::json scores = nlohmann::json::parse(evaluated.output)["scores"]["all_logits"];
  EXPECT_EQ(scores["samples"], 20);
  // Exact: the trainer scores with genint-eval's own code on the same weights, sizes and batch size.
  EXPECT_EQ(summary["val_top1"].get<double>(), scores["top1"].get<double>()) << summary.dump() << scores.dump();
  std::printf("val top-1: trainer %.4f, genint-eval %.4f\n", summary["val_top1"].get<double>(),
              scores["top1"].get<double>());
}

}  // namespace
}  // namespace genint::examples_testing
