// genint-bench: runs one registered benchmark and prints its JSON lines on stdout.
// Usage: genint-bench COMMAND [--option value ...]; genint-bench --help lists the commands.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "nn/core/error.h"

namespace genint::bench {

std::map<std::string, BenchCommand>& bench_commands() {
  static std::map<std::string, BenchCommand> commands;
  return commands;
}

BenchOptions::BenchOptions(const std::vector<std::string>& arguments, const std::vector<std::string>& known_options) {
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    const std::string& word = arguments[index];
    GENINT_CHECK(word.rfind("--", 0) == 0, "unexpected argument '" + word + "' (options start with --)");
    const std::string name = word.substr(2);
    bool known = false;
    for (const auto& option : known_options) known = known || option == name;
    GENINT_CHECK(known, "unknown option --" + name);
    const bool has_value = index + 1 < arguments.size() && arguments[index + 1].rfind("--", 0) != 0;
    values_[name] = has_value ? arguments[++index] : "";
  }
}

bool BenchOptions::has(const std::string& name) const {
  return values_.count(name) != 0;
}

std::string BenchOptions::text(const std::string& name, const std::string& fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() ? fallback : found->second;
}

double BenchOptions::number(const std::string& name, double fallback) const {
  const auto found = values_.find(name);
  if (found == values_.end()) return fallback;
  try {
    return std::stod(found->second);
  } catch (const std::exception&) {
    throw Error("--" + name + " needs a number, got '" + found->second + "'");
  }
}

int BenchOptions::integer(const std::string& name, int fallback) const {
  return static_cast<int>(number(name, fallback));
}

}  // namespace genint::bench

int main(int argc, char** argv) {
  using genint::bench::bench_commands;
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (words.empty() || words[0] == "--help" || words[0] == "-h" || bench_commands().count(words[0]) == 0) {
    std::fprintf(stderr, "usage: genint-bench COMMAND [--option value ...]\ncommands:\n");
    for (const auto& [name, command] : bench_commands())
      std::fprintf(stderr, "  %-12s %s\n", name.c_str(), command.summary.c_str());
    return words.empty() || words[0] == "--help" || words[0] == "-h" ? 0 : 2;
  }
  try {
    return bench_commands().at(words[0]).run(std::vector<std::string>(words.begin() + 1, words.end()));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "genint-bench %s: %s\n", words[0].c_str(), error.what());
    return 1;
  }
}
