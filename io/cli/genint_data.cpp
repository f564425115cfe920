// genint-data: dataset tools behind one command (genint-data COMMAND ...). Exit status: 0 done,
// 1 the input is unusable (message on stderr), 2 bad usage.
#include <string>
#include <vector>

#include "io/cli/data_command.h"

namespace genint::data {

SubcommandRegistry& data_commands() {
  static SubcommandRegistry commands;
  return commands;
}

}  // namespace genint::data

int main(int argc, char** argv) {
  return genint::run_subcommand("genint-data", "genint-data: dataset tools (exit 1: the input is unusable)",
                                genint::data::data_commands(), std::vector<std::string>(argv + 1, argv + argc));
}
