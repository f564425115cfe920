// genint-data: dataset tools behind one command (genint-data COMMAND ...). Exit status: 0 done,
// 1 the input is unusable (message on stderr), 2 bad usage.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "io/cli/data_command.h"

namespace genint::data {

std::map<std::string, DataCommand>& data_commands() {
  static std::map<std::string, DataCommand> commands;
  return commands;
}

}  // namespace genint::data

namespace {

void print_command_list(std::FILE* stream) {
  std::fprintf(stream, "usage: genint-data COMMAND [arguments]\ncommands:\n");
  for (const auto& [name, command] : genint::data::data_commands())
    std::fprintf(stream, "  %-16s %s\n", name.c_str(), command.summary.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  using genint::data::data_commands;
  const std::vector<std::string> words(argv + 1, argv + argc);
  if (!words.empty() && (words[0] == "--help" || words[0] == "-h")) {
    print_command_list(stdout);
    return 0;
  }
  if (words.empty() || data_commands().count(words[0]) == 0) {
    if (!words.empty()) std::fprintf(stderr, "genint-data: unknown command '%s'\n", words[0].c_str());
    print_command_list(stderr);
    return 2;
  }
  const auto& command = data_commands().at(words[0]);
  try {
    return command.run(std::vector<std::string>(words.begin() + 1, words.end()));
  } catch (const genint::UsageError& error) {
    std::fprintf(stderr, "genint-data %s: %s\n%s", words[0].c_str(), error.what(), command.usage.c_str());
    return 2;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "genint-data %s: %s\n", words[0].c_str(), error.what());
    return 1;
  }
}
