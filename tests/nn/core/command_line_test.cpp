// The shared command-line plumbing of genint-bench and genint-gan: strict option parsing (unknown options,
// stray words, bad numbers are errors naming the option) and subcommand dispatch with its exit statuses.
#include "nn/core/command_line.h"

#include <gtest/gtest.h>

#include "nn/core/error.h"

namespace genint {
namespace {

TEST(CommandOptions, ParsesValuesFlagsAndNegativeNumbers) {
  const CommandOptions options({"--count", "12", "--verbose", "--step", "-0.5", "--name", "demo"},
                               {"count", "verbose", "step", "name", "absent"});
  EXPECT_EQ(options.integer("count", 0), 12);
  EXPECT_TRUE(options.has("verbose"));
  EXPECT_EQ(options.text("verbose", "x"), "");
  EXPECT_DOUBLE_EQ(options.number("step", 0.0), -0.5);
  EXPECT_EQ(options.required_text("name"), "demo");
  EXPECT_FALSE(options.has("absent"));
  EXPECT_EQ(options.integer("absent", 7), 7);
}

TEST(CommandOptions, RejectsWhatItDoesNotUnderstand) {
  EXPECT_THROW(CommandOptions({"--unknown", "1"}, {"count"}), Error);
  EXPECT_THROW(CommandOptions({"stray"}, {"count"}), Error);
  const CommandOptions options({"--count", "12x", "--ratio", "1.5", "--name"}, {"count", "ratio", "name"});
  try {
    options.integer("count", 0);
    FAIL() << "a trailing letter was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("--count"), std::string::npos) << error.what();
  }
  EXPECT_THROW(options.integer("ratio", 0), Error);    // 1.5 is not an integer
  EXPECT_THROW(options.required_text("name"), Error);  // present without a value
}

TEST(RunSubcommand, DispatchesAndMapsOutcomesToExitStatuses) {
  SubcommandRegistry registry;
  std::vector<std::string> seen;
  const SubcommandRegistrar ok(registry, "ok", {"succeeds", [&](const std::vector<std::string>& words) {
                                                  seen = words;
                                                  return 0;
                                                }});
  const SubcommandRegistrar throws(
      registry, "throws", {"fails", [](const std::vector<std::string>&) -> int { throw Error("broken input"); }});
  EXPECT_EQ(run_subcommand("tool", registry, {"ok", "--a", "1"}), 0);
  EXPECT_EQ(seen, (std::vector<std::string>{"--a", "1"}));
  EXPECT_EQ(run_subcommand("tool", registry, {"throws"}), 1);
  EXPECT_EQ(run_subcommand("tool", registry, {"missing"}), 2);
  EXPECT_EQ(run_subcommand("tool", registry, {"--help"}), 0);
  EXPECT_EQ(run_subcommand("tool", registry, {}), 0);
}

}  // namespace
}  // namespace genint
