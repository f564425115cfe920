// The command-line plumbing every genint tool shares (nn/core/command_line.h): typed options with ranges bound to
// variables, the subcommand registry, and the exit statuses: 0 done or --help, 2 bad usage naming the option, 1 any
// other error.
#include "nn/core/command_line.h"

#include <gtest/gtest.h>

#include "nn/core/error.h"

namespace genint {
namespace {

struct DemoOptions {
  std::string name = "demo", mode = "fast";
  int count = 3;
  std::int64_t steps = 0;
  std::uint64_t seed = 0;
  double step = 1.0;
  float rate = 0.5f;
  bool verbose = false;
  std::vector<int> classes;
  std::vector<std::string> words = {"a"};
};

void declare_demo(CommandSpec command, DemoOptions& options) {
  command.text("--name", options.name, "a name");
  command.choice("--mode", options.mode, "how", {"fast", "slow"});
  command.integer("--count", options.count, "how many", 1, 64);
  command.integer("--steps", options.steps, "steps", 0, std::numeric_limits<std::int64_t>::max());
  command.seed("--seed", options.seed, "a seed");
  command.number("--step", options.step, "a step", -10.0, 10.0);
  command.number("--rate", options.rate, "a rate", 0.0, 1.0, true);
  command.flag("--verbose", options.verbose, "say more");
  command.integer_list("--classes", options.classes, "classes", 0, 9);
  command.word_list("--words", options.words, "words");
}

DemoOptions parse(const std::vector<std::string>& arguments) {
  DemoOptions options;
  parse_arguments(
      "demo", [&options](CommandSpec command) { declare_demo(command, options); }, arguments);
  return options;
}

// The message of the UsageError `arguments` raise ("" when they parse).
std::string refusal(const std::vector<std::string>& arguments) {
  try {
    parse(arguments);
  } catch (const UsageError& error) {
    return error.what();
  }
  return "";
}

TEST(CommandSpec, BindsEveryKindOfOptionAndKeepsDefaults) {
  const DemoOptions defaults = parse({});
  EXPECT_EQ(defaults.count, 3);
  EXPECT_EQ(defaults.words, std::vector<std::string>{"a"});
  const DemoOptions options = parse({"--name",    "x",       "--mode",     "slow",   "--count",
                                     "010",       "--steps", "9000000000", "--seed", "18446744073709551615",
                                     "--step",    "-0.5",    "--rate",     "1",      "--verbose",
                                     "--classes", "1,,3",    "--words",    "p,q",    "--count=12"});
  EXPECT_EQ(options.name, "x");
  EXPECT_EQ(options.mode, "slow");
  EXPECT_EQ(options.count, 12);  // a repeated option keeps its last value; "010" was decimal 10 before
  EXPECT_EQ(options.steps, 9'000'000'000);
  EXPECT_EQ(options.seed, std::numeric_limits<std::uint64_t>::max());
  EXPECT_DOUBLE_EQ(options.step, -0.5);  // a negative number is a value, not an option
  EXPECT_FLOAT_EQ(options.rate, 1.0f);
  EXPECT_TRUE(options.verbose);
  EXPECT_EQ(options.classes, (std::vector<int>{1, 3}));
  EXPECT_EQ(options.words, (std::vector<std::string>{"p", "q"}));
  EXPECT_EQ(parse({"--count", "010"}).count, 10);
}

TEST(CommandSpec, RefusesBadValuesNamingTheOption) {
  const std::pair<std::vector<std::string>, std::string> cases[] = {{{"--count", "ten"}, "--count"},
                                                                    {{"--count", "0"}, "--count"},
                                                                    {{"--count", "65"}, "--count"},
                                                                    {{"--count", "1.5"}, "--count"},
                                                                    {{"--count", "1e1"}, "--count"},
                                                                    {{"--count", "0x10"}, "--count"},
                                                                    {{"--seed", "-1"}, "--seed"},
                                                                    {{"--step", "nan"}, "--step"},
                                                                    {{"--step", "1e400"}, "--step"},
                                                                    {{"--step", "11"}, "--step"},
                                                                    {{"--rate", "0"}, "--rate"},
                                                                    {{"--mode", "medium"}, "--mode"},
                                                                    {{"--classes", "1,x"}, "--classes"},
                                                                    {{"--classes", "10"}, "--classes"},
                                                                    {{"--colour", "red"}, "--colour"},
                                                                    {{"--count"}, "--count"},
                                                                    {{"stray"}, "stray"}};
  for (const auto& [arguments, option] : cases) {
    const std::string message = refusal(arguments);
    EXPECT_NE(message.find(option), std::string::npos) << arguments[0] << ": '" << message << "'";
  }
  EXPECT_NE(refusal({"--count", "65"}).find("[1, 64]"), std::string::npos) << "the range is stated";
}

int demo_runs = 0;
int run_demo(const DemoOptions& options) {
  ++demo_runs;
  check_usage(options.count != 7, "--count 7 is unlucky");
  if (options.count == 5) throw Error("the input is broken");
  return options.count == 4 ? 3 : 0;
}

TEST(RunSubcommand, MapsOutcomesToExitStatuses) {
  SubcommandRegistry registry;
  const SubcommandRegistrar demo(registry, "demo", make_subcommand("a demo", declare_demo, run_demo));
  const SubcommandRegistrar other(registry, "other", make_subcommand("another", declare_demo, run_demo));
  demo_runs = 0;
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--count", "2"}), 0);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"other", "--count", "4"}), 3);  // the work's own status
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--count", "5"}), 1);   // genint::Error
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--count", "7"}), 2);   // UsageError from the work
  EXPECT_EQ(demo_runs, 4);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--count", "x"}), 2);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--bogus"}), 2);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"missing"}), 2);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"--bogus"}), 2);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {}), 2);
  EXPECT_EQ(demo_runs, 4) << "bad usage never reaches the work";
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"--help"}), 0);
  EXPECT_EQ(run_subcommand("tool", "a tool", registry, {"demo", "--help"}), 0);
  const std::string help = ::testing::internal::GetCapturedStdout();
  for (const char* text : {"demo", "other", "--count", "INT in [1, 64]", "--rate", "--classes", "--verbose"})
    EXPECT_NE(help.find(text), std::string::npos) << text << " missing from:\n" << help;
  EXPECT_EQ(demo_runs, 4);
}

TEST(RunTool, MapsOutcomesToExitStatuses) {
  const CommandDefinition define = make_command(declare_demo, run_demo);
  EXPECT_EQ(run_tool("tool", "a tool", define, {"--count", "2"}), 0);
  EXPECT_EQ(run_tool("tool", "a tool", define, {"--count", "5"}), 1);
  EXPECT_EQ(run_tool("tool", "a tool", define, {"--count", "7"}), 2);
  EXPECT_EQ(run_tool("tool", "a tool", define, {"--count", "-1"}), 2);
  EXPECT_EQ(run_tool("tool", "a tool", define, {}), 2);
  ::testing::internal::CaptureStdout();
  EXPECT_EQ(run_tool("tool", "a tool", define, {"--help"}), 0);
  EXPECT_NE(::testing::internal::GetCapturedStdout().find("--step"), std::string::npos);
}

}  // namespace
}  // namespace genint
