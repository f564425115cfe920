// genint-bench: runs one registered benchmark and prints its JSON lines on stdout.
// Usage: genint-bench COMMAND [--option value ...]; genint-bench --help lists the commands, COMMAND --help its options.
#include <string>
#include <vector>

#include "bench/bench_command.h"

namespace genint::bench {

SubcommandRegistry& bench_commands() {
  static SubcommandRegistry commands;
  return commands;
}

}  // namespace genint::bench

int main(int argc, char** argv) {
  return genint::run_subcommand("genint-bench", "genint-bench: throughput benchmarks, one JSON line per measurement",
                                genint::bench::bench_commands(), std::vector<std::string>(argv + 1, argv + argc));
}
