// genint-gan's command line as a subprocess: --help for the tool and each subcommand names every option, and bad
// numbers or out-of-range values are refused (exit 2) naming the option, before any generator is read.
#include <gtest/gtest.h>

#include "support/command_line_checks.h"

namespace genint::gan_cli {
namespace {

using ::genint::testing::expect_help_lists;
using ::genint::testing::expect_usage_error;

const std::string kTool = "'" GENINT_GAN_PROGRAM "'";

TEST(GenintGanCommandLine, HelpListsEveryCommandAndOption) {
  expect_help_lists(kTool, {"directions", "sample"});
  expect_help_lists(kTool + " directions",
                    {"--generator", "--out", "--method", "--layer", "--samples", "--regression-samples", "--seed",
                     "--batch-size", "--components", "--truncation", "--classes", "--threads", "--quiet"});
  expect_help_lists(
      kTool + " sample",
      {"--generator",          "--directions", "--space",  "--truncation", "--top-k",   "--step", "--layer-begin",
       "--layer-end",          "--classes",    "--config", "--count",      "--out",     "--seed", "--class-folders",
       "--class-folders-from", "--image-size", "--format", "--chunk",      "--threads", "--quiet"});
}

TEST(GenintGanCommandLine, BadValuesAreRefusedNamingTheOption) {
  const std::string directions = kTool + " directions --generator absent.safetensors --out /nonexistent/d ";
  expect_usage_error(directions + "--samples 1e5", "--samples");
  expect_usage_error(directions + "--truncation 1.5", "--truncation");
  expect_usage_error(directions + "--batch-size 5000", "--batch-size");
  expect_usage_error(directions + "--classes 1,-2", "--classes");
  const std::string sample = kTool + " sample --generator absent.safetensors --out /nonexistent/s ";
  expect_usage_error(sample + "--count 0", "--count");
  expect_usage_error(sample + "--count 4 --chunk 2000", "--chunk");
  expect_usage_error(sample + "--count 4 --step nan", "--step");
  expect_usage_error(sample + "--count 4 --format gif", "--format");
  expect_usage_error(sample + "--count 4 --class-folders a,b --class-folders-from dir", "--class-folders");
}

}  // namespace
}  // namespace genint::gan_cli
