// Command-line plumbing shared by genint's multi-command tools (genint-bench, genint-gan): a registry that
// subcommands join from their own files, and a strict "--name value" option parser.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

namespace genint {

struct Subcommand {
  std::string summary;  // one line for --help
  std::function<int(const std::vector<std::string>& arguments)> run;
};

// One registry per tool: each tool defines its own function returning a static map, so two tools linked
// into one test binary never see each other's commands.
using SubcommandRegistry = std::map<std::string, Subcommand>;

struct SubcommandRegistrar {
  SubcommandRegistrar(SubcommandRegistry& registry, const std::string& name, Subcommand command) {
    registry.emplace(name, std::move(command));
  }
};

// Runs words[0] of the registry with the remaining words; prints usage (exit 0 for --help, 2 for an unknown
// command) and turns an exception into "tool command: message" on stderr with exit status 1.
int run_subcommand(const char* tool, const SubcommandRegistry& registry, const std::vector<std::string>& words);

// Parses "--name value" pairs and bare "--flag"s; throws genint::Error on a stray word or an unknown option.
class CommandOptions {
 public:
  CommandOptions(const std::vector<std::string>& arguments, const std::vector<std::string>& known_options);
  bool has(const std::string& name) const;
  std::string text(const std::string& name, const std::string& fallback) const;
  // Throws genint::Error naming the option when it is absent.
  std::string required_text(const std::string& name) const;
  double number(const std::string& name, double fallback) const;
  int integer(const std::string& name, int fallback) const;

 private:
  std::map<std::string, std::string> values_;
};

}  // namespace genint
