// Command-line plumbing shared by genint's multi-command tools: subcommand dispatch with usage text, and
// the strict option parser (unknown options and stray words are errors, never silently ignored).
#include "nn/core/command_line.h"

#include <cmath>
#include <cstdio>
#include <exception>

#include "nn/core/error.h"

namespace genint {

int run_subcommand(const char* tool, const SubcommandRegistry& registry, const std::vector<std::string>& words) {
  const bool help = !words.empty() && (words[0] == "--help" || words[0] == "-h");
  if (words.empty() || help || registry.count(words[0]) == 0) {
    if (!words.empty() && !help) std::fprintf(stderr, "%s: unknown command '%s'\n", tool, words[0].c_str());
    std::fprintf(stderr, "usage: %s COMMAND [--option value ...]\ncommands:\n", tool);
    for (const auto& [name, command] : registry)
      std::fprintf(stderr, "  %-12s %s\n", name.c_str(), command.summary.c_str());
    return words.empty() || help ? 0 : 2;
  }
  try {
    return registry.at(words[0]).run(std::vector<std::string>(words.begin() + 1, words.end()));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s %s: %s\n", tool, words[0].c_str(), error.what());
    return 1;
  }
}

CommandOptions::CommandOptions(const std::vector<std::string>& arguments,
                               const std::vector<std::string>& known_options) {
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    const std::string& word = arguments[index];
    GENINT_CHECK(word.rfind("--", 0) == 0, "unexpected argument '" + word + "' (options start with --)");
    const std::string name = word.substr(2);
    bool known = false;
    for (const auto& option : known_options) known = known || option == name;
    GENINT_CHECK(known, "unknown option --" + name);
    // A value may itself start with '-' (a negative number), but never with "--".
    const bool has_value = index + 1 < arguments.size() && arguments[index + 1].rfind("--", 0) != 0;
    values_[name] = has_value ? arguments[++index] : "";
  }
}

bool CommandOptions::has(const std::string& name) const {
  return values_.count(name) != 0;
}

std::string CommandOptions::text(const std::string& name, const std::string& fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() ? fallback : found->second;
}

std::string CommandOptions::required_text(const std::string& name) const {
  const auto found = values_.find(name);
  GENINT_CHECK(found != values_.end() && !found->second.empty(), "--" + name + " is required");
  return found->second;
}

double CommandOptions::number(const std::string& name, double fallback) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return fallback;
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(found->second, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  GENINT_CHECK(used != 0 && used == found->second.size() && std::isfinite(value),
               "--" + name + " needs a number, got '" + found->second + "'");
  return value;
}

int CommandOptions::integer(const std::string& name, int fallback) const {
  const double value = number(name, fallback);
  GENINT_CHECK(value == std::floor(value) && std::abs(value) < 2147483647.0,
               "--" + name + " needs an integer, got '" + text(name, "") + "'");
  return static_cast<int>(value);
}

}  // namespace genint
