// Command-line plumbing shared by genint's tools on CLI11: the app built from a registry, the exit statuses (usage
// errors 2, other errors 1) and the strict numeric transforms that stand in for CLI11's own conversion.
#include "nn/core/command_line.h"

#include <CLI/CLI.hpp>
#include <cstdio>
#include <exception>
#include <limits>

#include "nn/core/parse_number.h"

namespace genint {
namespace {

std::string format_number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

// "in [1, 4096]", or ">= 1" when the upper end is only a type's limit.
std::string integer_range(std::int64_t low, std::int64_t high) {
  if (high >= std::numeric_limits<std::int32_t>::max()) return ">= " + std::to_string(low);
  return "in [" + std::to_string(low) + ", " + std::to_string(high) + "]";
}

std::string number_range(double low, double high, bool low_excluded) {
  if (high >= 1e300) return (low_excluded ? "> " : ">= ") + format_number(low);
  return std::string("in ") + (low_excluded ? "(" : "[") + format_number(low) + ", " + format_number(high) + "]";
}

// A CLI11 validator that checks (and may rewrite) each value; an empty return means accepted.
CLI::Validator validator(std::function<std::string(std::string&)> check) {
  return CLI::Validator(std::move(check), "");
}

CLI::Validator integer_in(std::int64_t low, std::int64_t high) {
  return validator([low, high](std::string& text) -> std::string {
    const std::optional<std::int64_t> value = parse_integer(text);
    if (!value || *value < low || *value > high)
      return "needs an integer " + integer_range(low, high) + ", got '" + text + "'";
    return "";
  });
}

// Every genint app's settings: defaults shown in --help, a repeated option keeps its last value (as the tools'
// hand-written parsers did), a wider first column.
void configure_app(CLI::App& app) {
  app.option_defaults()->always_capture_default()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
  app.get_formatter()->column_width(34);
}

// Prints a message attributed to `who` ("genint-train", "genint-bench resnet") unless it already starts with it.
void print_error(const std::string& who, const std::string& message) {
  if (message.rfind(who + ":", 0) == 0)
    std::fprintf(stderr, "%s\n", message.c_str());
  else
    std::fprintf(stderr, "%s: %s\n", who.c_str(), message.c_str());
}

int usage_failure(const std::string& who, const std::string& message) {
  print_error(who, message);
  std::fprintf(stderr, "Run '%s --help' for its options.\n", who.c_str());
  return 2;
}

// Parses `arguments` into `app`, then runs `work`, mapping every outcome to an exit status.
int parse_and_run(CLI::App& app, const std::string& who, const std::vector<std::string>& arguments,
                  const std::function<int()>& work) {
  try {
    std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());  // CLI11 takes them last first
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);  // --help
    return usage_failure(who, error.what());
  }
  try {
    return work();
  } catch (const UsageError& error) {
    return usage_failure(who, error.what());
  } catch (const std::exception& error) {
    print_error(who, error.what());
    return 1;
  }
}

}  // namespace

OptionSpec OptionSpec::required() {
  option_->required();
  return *this;
}

OptionSpec OptionSpec::needs(OptionSpec other) {
  option_->needs(other.option_);
  return *this;
}

OptionSpec OptionSpec::excludes(OptionSpec other) {
  option_->excludes(other.option_);
  return *this;
}

OptionSpec OptionSpec::default_text(const std::string& text) {
  option_->default_str(text);
  return *this;
}

OptionSpec OptionSpec::check(std::function<void(const std::string&)> parse) {
  option_->check(validator([parse](std::string& text) -> std::string {
    try {
      parse(text);
      return "";
    } catch (const Error& error) {
      return error.what();
    }
  }));
  return *this;
}

bool OptionSpec::given() const {
  return option_->count() > 0;
}

std::string OptionSpec::name() const {
  return option_->get_name();
}

OptionSpec CommandSpec::text(const std::string& name, std::string& value, const std::string& help) {
  return OptionSpec(app_->add_option(name, value, help));
}

OptionSpec CommandSpec::choice(const std::string& name, std::string& value, const std::string& help,
                               const std::vector<std::string>& choices) {
  return OptionSpec(app_->add_option(name, value, help)->check(CLI::IsMember(choices)));
}

OptionSpec CommandSpec::flag(const std::string& name, bool& value, const std::string& help) {
  return OptionSpec(app_->add_flag(name, value, help));
}

OptionSpec CommandSpec::integer_option(const std::string& name, const std::string& help, std::int64_t low,
                                       std::int64_t high, const std::string& default_text,
                                       std::function<void(std::int64_t)> store) {
  CLI::Option* option = app_->add_option_function<std::string>(
      name, [store](const std::string& text) { store(*parse_integer(text)); }, help);
  option->check(integer_in(low, high))->type_name("INT " + integer_range(low, high))->default_str(default_text);
  return OptionSpec(option);
}

OptionSpec CommandSpec::seed(const std::string& name, std::uint64_t& value, const std::string& help) {
  CLI::Option* option = app_->add_option_function<std::string>(
      name, [&value](const std::string& text) { value = *parse_unsigned(text); }, help);
  option
      ->check(validator([](std::string& text) -> std::string {
        return parse_unsigned(text) ? "" : "needs an integer >= 0 (64 bits), got '" + text + "'";
      }))
      ->type_name("UINT64")
      ->default_str(std::to_string(value));
  return OptionSpec(option);
}

OptionSpec CommandSpec::number_option(const std::string& name, const std::string& help, double low, double high,
                                      bool low_excluded, double default_value, std::function<void(double)> store) {
  CLI::Option* option = app_->add_option_function<std::string>(
      name, [store](const std::string& text) { store(*parse_finite_number(text)); }, help);
  option
      ->check(validator([low, high, low_excluded](std::string& text) -> std::string {
        const std::optional<double> value = parse_finite_number(text);
        if (!value || *value < low || (low_excluded && *value == low) || *value > high)
          return "needs a number " + number_range(low, high, low_excluded) + ", got '" + text + "'";
        return "";
      }))
      ->type_name("NUMBER " + number_range(low, high, low_excluded))
      ->default_str(format_number(default_value));
  return OptionSpec(option);
}

OptionSpec CommandSpec::integer_list(const std::string& name, std::vector<int>& values, const std::string& help,
                                     std::int64_t low, std::int64_t high) {
  CLI::Option* option = app_->add_option_function<std::vector<std::string>>(
      name,
      [&values](const std::vector<std::string>& texts) {
        values.clear();
        for (const std::string& text : texts) values.push_back(static_cast<int>(*parse_integer(text)));
      },
      help);
  std::string shown;
  for (const int value : values) shown += (shown.empty() ? "" : ",") + std::to_string(value);
  option->delimiter(',')
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
      ->check(integer_in(low, high))
      ->type_name("N,N,... each " + integer_range(low, high))
      ->default_str(shown);
  return OptionSpec(option);
}

OptionSpec CommandSpec::word_list(const std::string& name, std::vector<std::string>& values, const std::string& help) {
  std::string shown;
  for (const std::string& value : values) shown += (shown.empty() ? "" : ",") + value;
  CLI::Option* option = app_->add_option(name, values, help);
  option->delimiter(',')->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->type_name("WORD,WORD,...");
  option->default_str(shown);
  return OptionSpec(option);
}

void CommandSpec::footer(const std::string& text) {
  app_->footer(text);
}

int run_subcommand(const std::string& tool, const std::string& description, const SubcommandRegistry& registry,
                   const std::vector<std::string>& arguments) {
  CLI::App app(description, tool);
  configure_app(app);
  app.require_subcommand(1);
  app.footer("Run '" + tool + " COMMAND --help' for a command's options.");
  std::map<std::string, std::function<int()>> work;
  for (const auto& [name, command] : registry) {
    CLI::App* subcommand = app.add_subcommand(name, command.summary);
    configure_app(*subcommand);
    work[name] = command.define(CommandSpec(*subcommand));
  }
  if (arguments.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  if (arguments[0].rfind('-', 0) != 0 && registry.count(arguments[0]) == 0) {
    std::fprintf(stderr, "%s: unknown command '%s'\n%s", tool.c_str(), arguments[0].c_str(), app.help().c_str());
    return 2;
  }
  const std::string who = registry.count(arguments[0]) != 0 ? tool + " " + arguments[0] : tool;
  return parse_and_run(app, who, arguments, [&] { return work.at(app.get_subcommands().at(0)->get_name())(); });
}

int run_tool(const std::string& tool, const std::string& description, const CommandDefinition& define,
             const std::vector<std::string>& arguments) {
  CLI::App app(description, tool);
  configure_app(app);
  const std::function<int()> work = define(CommandSpec(app));
  if (arguments.empty()) {
    std::fputs(app.help().c_str(), stderr);
    return 2;
  }
  return parse_and_run(app, tool, arguments, work);
}

void parse_arguments(const std::string& tool, const std::function<void(CommandSpec)>& declare,
                     const std::vector<std::string>& arguments) {
  CLI::App app(tool, tool);
  configure_app(app);
  declare(CommandSpec(app));
  std::vector<std::string> reversed(arguments.rbegin(), arguments.rend());
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& error) {
    throw UsageError(error.get_exit_code() == 0 ? tool + ": --help asked for" : std::string(error.what()));
  }
}

}  // namespace genint
