// genint-data's command line as a subprocess: --help for the tool and each subcommand names every option, and bad
// numbers or out-of-range values are refused (exit 2) naming the option.
#include <gtest/gtest.h>

#include "support/command_line_checks.h"

namespace genint::data {
namespace {

using ::genint::testing::expect_help_lists;
using ::genint::testing::expect_usage_error;

const std::string kTool = "'" GENINT_DATA_PROGRAM "'";

TEST(GenintDataCommandLine, HelpListsEveryCommandAndOption) {
  expect_help_lists(kTool, {"scan", "fashion-scenes", "nuisance-dependence"});
  expect_help_lists(kTool + " scan", {"PATH", "--layout", "--labels", "--threads", "--max-pixels"});
  expect_help_lists(kTool + " fashion-scenes",
                    {"--out", "--force", "--fashion-mnist", "--seed", "--image-size", "--train", "--val", "--test",
                     "--ood", "--ood-val", "--rho", "--hue-concentration", "--angle-concentration", "--corruptions",
                     "--severities", "--threads", "--quiet", "INT in [8, 1024]=64"});
  expect_help_lists(kTool + " nuisance-dependence", {"--records", "--filelists-out", "--hue-predictions",
                                                     "--angle-predictions", "--classes", "--name"});
}

TEST(GenintDataCommandLine, BadValuesAreRefusedNamingTheOption) {
  expect_usage_error(kTool + " scan /tmp --threads 0", "--threads");
  expect_usage_error(kTool + " scan /tmp --max-pixels -5", "--max-pixels");
  expect_usage_error(kTool + " scan /tmp --layout folders", "--layout");
  expect_usage_error(kTool + " scan", "PATH");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --image-size 4", "--image-size");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --rho 1.5", "--rho");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --rho -0.1", "--rho");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --ood-val -1", "--ood-val");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --ood-val 6001", "--ood-val");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --seed 0x10", "--seed");
  expect_usage_error(kTool + " fashion-scenes --out /nonexistent/x --severities 2,6", "--severities");
  expect_usage_error(kTool + " nuisance-dependence --records a.csv --classes many", "--classes");
  expect_usage_error(kTool + " nuisance-dependence --records a.csv --colour 3", "--colour");
  expect_usage_error(kTool + " no-such-command", "no-such-command");
}

}  // namespace
}  // namespace genint::data
