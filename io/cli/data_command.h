// genint-data's subcommands register themselves here (scan, later fashion-scenes, ...), so each lives in
// its own file and the main program never changes when one is added.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "nn/core/error.h"

namespace genint::data {

struct DataCommand {
  std::string summary;  // one line for the command list
  std::string usage;    // the full usage text, printed on a usage error
  // Returns the exit status: 0 done, 1 the input is unusable. Throws genint::UsageError for bad arguments (exit 2)
  // and genint::Error for anything else (exit 1).
  std::function<int(const std::vector<std::string>& arguments)> run;
};

std::map<std::string, DataCommand>& data_commands();

struct DataCommandRegistrar {
  DataCommandRegistrar(const std::string& name, DataCommand command) {
    data_commands().emplace(name, std::move(command));
  }
};

}  // namespace genint::data
