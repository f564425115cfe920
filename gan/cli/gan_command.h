// genint-gan's subcommands (directions, sample, ...) register themselves here, one file each, so the
// main program never changes when one is added (the plumbing is nn/core/command_line.h).
#pragma once

#include "nn/core/command_line.h"

namespace genint::gan_cli {

SubcommandRegistry& gan_commands();

}  // namespace genint::gan_cli
