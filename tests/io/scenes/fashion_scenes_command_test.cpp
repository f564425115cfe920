// genint-data fashion-scenes run as a subprocess on gzipped IDX files written by the test: it writes the
// tree and a JSON summary, refuses a non-empty folder (exit 1) and bad arguments (exit 2).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "tests/io/scenes/scenes_test_support.h"

namespace genint::io::scenes {
namespace {

struct ProgramRun {
  int exit_status = -1;
  std::string output;
};

ProgramRun run_fashion_scenes(const std::string& arguments) {
  const std::string command = "timeout 120 '" GENINT_DATA_PROGRAM "' fashion-scenes " + arguments;
  ProgramRun run;
  std::FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char chunk[4096];
  for (std::size_t got; (got = std::fread(chunk, 1, sizeof chunk, pipe)) > 0;) run.output.append(chunk, got);
  const int status = ::pclose(pipe);
  run.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

TEST(FashionScenesCommand, WritesTheTreeAndRefusesToOverwrite) {
  const testing::TemporaryFolder folder;
  std::filesystem::create_directories(folder.path("mnist"));
  testing::write_fashion_mnist_folder(testing::synthetic_fashion_mnist(6, 4), folder.path("mnist"), true);
  const std::string arguments = "--fashion-mnist '" + folder.path("mnist") + "' --out '" + folder.path("out") +
                                "' --image-size 24 --train 4 --val 1 --test 2 --ood 2 --corruptions contrast,pixelate"
                                " --severities 2,4 --threads 2 --quiet";
  const ProgramRun first = run_fashion_scenes(arguments);
  ASSERT_EQ(first.exit_status, 0) << first.output;
  const nlohmann::json summary = nlohmann::json::parse(first.output);
  EXPECT_EQ(summary["images"], 40 + 10 + 20 + 20 + 2 * 2 * 20);
  EXPECT_TRUE(std::filesystem::is_regular_file(folder.path("out/corrupted/pixelate/4/9_ankle_boot/test_00001.JPEG")));
  EXPECT_TRUE(std::filesystem::is_regular_file(folder.path("out/manifest.json")));

  EXPECT_EQ(run_fashion_scenes(arguments).exit_status, 1);             // not empty, no --force
  EXPECT_EQ(run_fashion_scenes(arguments + " --force").exit_status, 0);
  EXPECT_EQ(run_fashion_scenes(arguments + " --rho 2").exit_status, 2);
  EXPECT_EQ(run_fashion_scenes(arguments + " --corruptions frost").exit_status, 2);
  EXPECT_EQ(run_fashion_scenes("--fashion-mnist '" + folder.path("none") + "' --out '" + folder.path("other") + "'")
                .exit_status,
            1);
  EXPECT_EQ(run_fashion_scenes("--train 5").exit_status, 2);  // no --out
}

}  // namespace
}  // namespace genint::io::scenes
