// genint-data fashion-scenes run as a subprocess on gzipped IDX files written by the test: it writes the
// tree and a JSON summary, refuses a non-empty folder (exit 1) and bad arguments (exit 2).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/run_command.h"
#include "tests/io/scenes/scenes_test_support.h"

namespace genint::io::scenes {
namespace {

using ::genint::testing::ProgramRun;

ProgramRun run_fashion_scenes(const std::string& arguments) {
  return ::genint::testing::run_command("timeout 120 '" GENINT_DATA_PROGRAM "' fashion-scenes " + arguments);
}

TEST(FashionScenesCommand, WritesTheTreeAndRefusesToOverwrite) {
  const testing::TemporaryDirectory folder;
  std::filesystem::create_directories(folder.file("mnist"));
  testing::write_fashion_mnist_folder(testing::synthetic_fashion_mnist(8, 4), folder.file("mnist"), true);
  const std::string arguments = "--fashion-mnist '" + folder.file("mnist") + "' --out '" + folder.file("out") +
                                "' --image-size 24 --train 4 --val 1 --test 2 --ood 2 --corruptions contrast,pixelate"
                                " --severities 2,4 --threads 2 --quiet";
  const ProgramRun first = run_fashion_scenes(arguments);
  ASSERT_EQ(first.exit_status, 0) << first.output;
  const nlohmann::json summary = nlohmann::json::parse(first.output);
  EXPECT_EQ(summary["images"], 40 + 10 + 20 + 20 + 20 + 2 * 2 * 20);  // ood_val: as many as --ood by default
  EXPECT_TRUE(std::filesystem::is_regular_file(folder.file("out/corrupted/pixelate/4/9_ankle_boot/test_00001.JPEG")));
  EXPECT_TRUE(std::filesystem::is_regular_file(folder.file("out/manifest.json")));

  EXPECT_EQ(run_fashion_scenes(arguments).exit_status, 1);  // not empty, no --force
  EXPECT_EQ(run_fashion_scenes(arguments + " --force --ood-val 0").exit_status, 0);
  EXPECT_FALSE(std::filesystem::exists(folder.file("out/ood_val"))) << "--force left an earlier run's ood_val";
  EXPECT_EQ(run_fashion_scenes(arguments + " --force --ood-val 4").exit_status, 1);  // 4 + 1 + 4 > 8 items a class
  EXPECT_EQ(run_fashion_scenes(arguments + " --force --ood-val -1").exit_status, 2);
  EXPECT_EQ(run_fashion_scenes(arguments + " --rho 2").exit_status, 2);
  EXPECT_EQ(run_fashion_scenes(arguments + " --corruptions frost").exit_status, 2);
  EXPECT_EQ(run_fashion_scenes("--fashion-mnist '" + folder.file("none") + "' --out '" + folder.file("other") + "'")
                .exit_status,
            1);
  EXPECT_EQ(run_fashion_scenes("--train 5").exit_status, 2);  // no --out
}

}  // namespace
}  // namespace genint::io::scenes
