// Command-line plumbing of every genint tool (genint-data, genint-gan, genint-bench, genint-train, genint-eval):
// one subcommand registry, typed options with ranges and --help, one set of exit statuses. CLI11 underneath.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "nn/core/error.h"

// CLI11 stays inside command_line.cpp: its header costs ~8 s of compiler time in every file that includes it.
namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace genint {

// One declared option: chain its settings on; after parsing, given() says whether the command line set it.
class OptionSpec {
 public:
  explicit OptionSpec(CLI::Option* option) : option_(option) {}
  OptionSpec required();
  OptionSpec needs(OptionSpec other);
  OptionSpec excludes(OptionSpec other);
  // What --help shows as the default where the variable's initial value stands for something ("all cores").
  OptionSpec default_text(const std::string& text);
  // Checks each value with a library's parser (parse_dataset_layout, ...), so the names it accepts are listed once:
  // its genint::Error becomes the option's message.
  OptionSpec check(std::function<void(const std::string&)> parse);
  bool given() const;
  std::string name() const;

 private:
  CLI::Option* option_;
};

// Declares the options of one command (a tool's, or a subcommand's), each bound to a variable that keeps its initial
// value unless the option is given; --help lists them with their type, range and default. Numbers are read by
// nn/core/parse_number.h (decimal, the whole word: not CLI11's conversion, which reads "010" as octal 8, wraps "-1"
// into an unsigned option and takes "nan"); a bad one is refused as "--name: needs an integer in [1, 64], got 'x'".
class CommandSpec {
 public:
  explicit CommandSpec(CLI::App& app) : app_(&app) {}
  // A name without a leading "-" ("PATH") makes a positional argument.
  OptionSpec text(const std::string& name, std::string& value, const std::string& help);
  OptionSpec choice(const std::string& name, std::string& value, const std::string& help,
                    const std::vector<std::string>& choices);
  OptionSpec flag(const std::string& name, bool& value, const std::string& help);
  template <typename Integer>
  OptionSpec integer(const std::string& name, Integer& value, const std::string& help, std::int64_t low,
                     std::int64_t high) {
    return integer_option(name, help, low, high, std::to_string(value),
                          [&value](std::int64_t parsed) { value = static_cast<Integer>(parsed); });
  }
  // Seeds: any uint64.
  OptionSpec seed(const std::string& name, std::uint64_t& value, const std::string& help);
  // A finite number in [low, high], or (low, high] when `low_excluded`.
  template <typename Real>
  OptionSpec number(const std::string& name, Real& value, const std::string& help, double low, double high,
                    bool low_excluded = false) {
    return number_option(name, help, low, high, low_excluded, static_cast<double>(value),
                         [&value](double parsed) { value = static_cast<Real>(parsed); });
  }
  // "--classes 0,3,7": comma-separated integers in [low, high]; empty items are skipped.
  OptionSpec integer_list(const std::string& name, std::vector<int>& values, const std::string& help, std::int64_t low,
                          std::int64_t high);
  // "--class-folders a,b,c": comma-separated words; empty items are skipped.
  OptionSpec word_list(const std::string& name, std::vector<std::string>& values, const std::string& help);
  // Text --help prints after the options.
  void footer(const std::string& text);

 private:
  OptionSpec integer_option(const std::string& name, const std::string& help, std::int64_t low, std::int64_t high,
                            const std::string& default_text, std::function<void(std::int64_t)> store);
  OptionSpec number_option(const std::string& name, const std::string& help, double low, double high, bool low_excluded,
                           double default_value, std::function<void(double)> store);
  CLI::App* app_;
};

// A command's definition: declares its options and returns the work that runs once they are parsed (bound to the
// variables it declared).
using CommandDefinition = std::function<std::function<int()>(CommandSpec command)>;

// A subcommand: its line in the tool's --help, and its definition.
struct Subcommand {
  std::string summary;
  CommandDefinition define;
};

// One registry per tool: each tool defines its own function returning a static map, so two tools linked
// into one test binary never see each other's commands.
using SubcommandRegistry = std::map<std::string, Subcommand>;

struct SubcommandRegistrar {
  SubcommandRegistrar(SubcommandRegistry& registry, const std::string& name, Subcommand command) {
    registry.emplace(name, std::move(command));
  }
};

// The usual command: `declare` binds an Options struct's fields to options, `run` does the work with them.
template <typename Options>
CommandDefinition make_command(void (*declare)(CommandSpec, Options&), int (*run)(const Options&)) {
  return [declare, run](CommandSpec command) {
    auto options = std::make_shared<Options>();
    declare(command, *options);
    return std::function<int()>([options, run] { return run(*options); });
  };
}

template <typename Options>
Subcommand make_subcommand(std::string summary, void (*declare)(CommandSpec, Options&), int (*run)(const Options&)) {
  return {std::move(summary), make_command(declare, run)};
}

// Exit statuses of every tool: 0 done, or --help (printed to stdout); 2 bad usage: no arguments, an unknown command
// or option, a malformed or out-of-range value, a missing required option, or a genint::UsageError thrown by the
// work, with "<tool> <command>: <message naming the option>" and a hint to --help on stderr; 1 any other error, as
// "<tool> <command>: <message>". Otherwise what the work returns. `arguments` excludes the program name.
int run_subcommand(const std::string& tool, const std::string& description, const SubcommandRegistry& registry,
                   const std::vector<std::string>& arguments);

// A tool without subcommands (genint-train, genint-eval): the same statuses.
int run_tool(const std::string& tool, const std::string& description, const CommandDefinition& define,
             const std::vector<std::string>& arguments);

// Parses `arguments` into the options `declare` binds, for callers that drive a tool's options in-process (tests,
// embedders): a bad command line, or --help, throws UsageError.
void parse_arguments(const std::string& tool, const std::function<void(CommandSpec)>& declare,
                     const std::vector<std::string>& arguments);

// For checks that span options (options are checked one at a time): throws UsageError(message) unless `condition`.
inline void check_usage(bool condition, const std::string& message) {
  if (!condition) throw UsageError(message);
}

}  // namespace genint
