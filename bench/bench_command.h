// genint-bench's subcommands register themselves here, so each benchmark lives in its own file
// and the main program never changes when one is added (the plumbing is nn/core/command_line.h).
#pragma once

#include "nn/core/command_line.h"

namespace genint::bench {

SubcommandRegistry& bench_commands();

// --device cpu|cuda (default cpu), which every device-aware benchmark takes.
inline OptionSpec add_device_option(CommandSpec command, std::string& device) {
  return command.choice("--device", device, "where it runs", {"cpu", "cuda"});
}

}  // namespace genint::bench
