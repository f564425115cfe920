// genint-data's subcommands (scan, fashion-scenes, nuisance-dependence) register themselves here, one file each, so
// the main program never changes when one is added (the plumbing is nn/core/command_line.h).
#pragma once

#include "nn/core/command_line.h"

namespace genint::data {

SubcommandRegistry& data_commands();

}  // namespace genint::data
