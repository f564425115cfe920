// genint-bench's subcommands register themselves here, so each benchmark lives in its own file
// and the main program never changes when one is added (the plumbing is nn/core/command_line.h).
#pragma once

#include <string>

#include "nn/core/command_line.h"

namespace genint::bench {

using BenchCommand = Subcommand;
using BenchOptions = CommandOptions;

SubcommandRegistry& bench_commands();

struct BenchCommandRegistrar : SubcommandRegistrar {
  BenchCommandRegistrar(const std::string& name, BenchCommand command)
      : SubcommandRegistrar(bench_commands(), name, std::move(command)) {}
};

}  // namespace genint::bench
