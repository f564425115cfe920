// genint-bench's command line as a subprocess: --help for the tool and every benchmark names its options, bad numbers
// or out-of-range values are refused (exit 2) naming the option, and given options reach the measurement.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/command_line_checks.h"

namespace genint::bench {
namespace {

using ::genint::testing::expect_help_lists;
using ::genint::testing::expect_usage_error;

const std::string kTool = "'" GENINT_BENCH_PROGRAM "'";

TEST(GenintBenchCommandLine, HelpListsEveryBenchmarkAndOption) {
  expect_help_lists(kTool, {"biggan", "conv", "gensource", "index", "loader", "natural", "normalize", "queue", "resnet",
                            "soak", "transfer"});
  const std::pair<const char*, std::vector<std::string>> benchmarks[] = {
      {"biggan", {"--device", "--batch", "--config", "--seconds", "--truncation", "--tf32", "--bf16"}},
      {"conv", {"--device", "--batch", "--layer", "--seconds", "--tf32"}},
      {"gensource",
       {"--config", "--directions", "--space", "--chunk", "--size", "--layout", "--truncation", "--seconds"}},
      {"index", {"--files", "--classes", "--threads", "--repeats", "--dir"}},
      {"loader", {"--data", "--threads", "--size", "--batch", "--seconds", "--layout", "--arrival"}},
      {"natural",
       {"--data", "--threads", "--size", "--seconds", "--fast-dct", "--auto-augment", "--auto-augment-interpolation"}},
      {"normalize", {"--device", "--batch", "--size", "--seconds"}},
      {"queue", {"--producers", "--bulk", "--seconds"}},
      {"soak",
       {"--samples", "--sample-every", "--recreate-every", "--classes", "--per-class", "--threads",
        "--spoiled-fraction", "--disturb-ms", "--churn-pause-ms", "--demo"}},
      {"resnet",
       {"--device", "--arch", "--batch", "--size", "--mode", "--classes", "--iterations", "--seconds", "--tf32",
        "--bf16", "--small-input-stem"}},
      {"transfer",
       {"--weights", "--size", "--batch", "--threads", "--alpha", "--style-reuse", "--iterations", "--seconds"}}};
  for (const auto& [name, options] : benchmarks) expect_help_lists(kTool + " " + name, options);
}

TEST(GenintBenchCommandLine, BadValuesAreRefusedNamingTheOption) {
  expect_usage_error(kTool + " resnet --batch ten", "--batch");
  expect_usage_error(kTool + " resnet --batch 0", "--batch");
  expect_usage_error(kTool + " resnet --mode backward", "--mode");
  expect_usage_error(kTool + " resnet --tf32", "--tf32");  // CPU: no TF32
  expect_usage_error(kTool + " resnet --arch resnet32 --small-input-stem", "--small-input-stem");
  expect_usage_error(kTool + " biggan --truncation 0", "--truncation");
  expect_usage_error(kTool + " biggan --device tpu", "--device");
  expect_usage_error(kTool + " conv --layer stage9", "--layer");
  expect_usage_error(kTool + " natural --data /tmp --threads -1", "--threads");
  expect_usage_error(kTool + " natural --threads 2", "--data");
  expect_usage_error(kTool + " natural --data /tmp --auto-augment-interpolation nearest", "--auto-augment");
  expect_usage_error(kTool + " loader --data /tmp --layout nchw", "--layout");
  expect_usage_error(kTool + " gensource --chunk 2000", "--chunk");
  expect_usage_error(kTool + " index --files 1.5", "--files");
  expect_usage_error(kTool + " normalize --seconds inf", "--seconds");
  expect_usage_error(kTool + " queue --producers 0", "--producers");
  expect_usage_error(kTool + " queue --bogus 1", "--bogus");
  expect_usage_error(kTool + " soak --spoiled-fraction 1", "--spoiled-fraction");
  expect_usage_error(kTool + " soak --samples 0", "--samples");
  expect_usage_error(kTool + " transfer --alpha 1.5", "--alpha");
  expect_usage_error(kTool + " transfer --size 8", "--size");  // relu4_1 needs 2x2 planes: sides of 9 at least
  expect_usage_error(kTool + " transfer --style-reuse 0", "--style-reuse");
  expect_usage_error(kTool + " transfer --batch -1", "--batch");
}

TEST(GenintBenchCommandLine, GivenOptionsReachTheMeasurement) {
  const testing::ProgramRun run =
      testing::run_command("timeout 60 " + kTool + " queue --producers 2 --bulk 3 --seconds 0.05");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json line = nlohmann::json::parse(run.output);
  EXPECT_EQ(line["producers"], 2);
  EXPECT_EQ(line["bulk"], 3);
  EXPECT_GT(line["items_per_s"].get<double>(), 0.0);
}

TEST(GenintBenchCommandLine, SmallInputStemReachesTheModel) {
  // A tiny ResNet-18 training step (two 8x8 images, 2 classes) keeps the test short; the JSON line echoes the model's
  // config.
  const testing::ProgramRun run = testing::run_command(
      "timeout 120 " + kTool +
      " resnet --small-input-stem --batch 2 --size 8 --classes 2 --iterations 1 --seconds 0 --mode train");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json line = nlohmann::json::parse(run.output);
  EXPECT_EQ(line["small_input_stem"], true);
  EXPECT_EQ(line["mode"], "train");
  EXPECT_GT(line["median_cpu_ms"].get<double>(), 0.0);
}

TEST(GenintBenchCommandLine, CifarResNetReachesTheModel) {
  const testing::ProgramRun run = testing::run_command(
      "timeout 120 " + kTool +
      " resnet --arch resnet20 --batch 2 --size 8 --classes 2 --iterations 1 --seconds 0 --mode train");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json line = nlohmann::json::parse(run.output);
  EXPECT_EQ(line["arch"], "resnet20");
  EXPECT_EQ(line["small_input_stem"], false);
  EXPECT_GT(line["median_cpu_ms"].get<double>(), 0.0);
}

TEST(GenintBenchCommandLine, TransferOptionsReachTheNetwork) {
  // The narrow golden network (widths 8..24) keeps the run short; style reuse 2 over batches of 3 splits a style
  // across two batches.
  const testing::ProgramRun run =
      testing::run_command("timeout 120 " + kTool +
                           " transfer --weights '" GENINT_TRANSFER_TEST_WEIGHTS
                           "' --size 20 --batch 3 --style-reuse 2 --alpha 0.5 --threads 1 --iterations 3 --seconds 0");
  ASSERT_EQ(run.exit_status, 0) << run.output;
  const nlohmann::json line = nlohmann::json::parse(run.output);
  EXPECT_EQ(line["widths"], nlohmann::json::array({8, 12, 16, 24}));
  EXPECT_EQ(line["size"], 20);
  EXPECT_EQ(line["batch"], 3);
  EXPECT_EQ(line["style_reuse"], 2);
  EXPECT_EQ(line["alpha"], 0.5);
  EXPECT_EQ(line["threads"], 1);
  EXPECT_GE(line["iterations"].get<int>(), 3);
  EXPECT_GT(line["samples_per_cpu_s"].get<double>(), 0.0);
}

}  // namespace
}  // namespace genint::bench
