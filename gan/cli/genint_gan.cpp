// genint-gan: the generator's command-line tool (discover directions, write generated samples, ...).
// Usage: genint-gan COMMAND [--option value ...]; genint-gan --help lists the commands, COMMAND --help its options.
#include <string>
#include <vector>

#include "gan/cli/gan_command.h"

namespace genint::gan_cli {

SubcommandRegistry& gan_commands() {
  static SubcommandRegistry commands;
  return commands;
}

}  // namespace genint::gan_cli

int main(int argc, char** argv) {
  return genint::run_subcommand("genint-gan", "genint-gan: BigGAN-deep directions and generated samples",
                                genint::gan_cli::gan_commands(), std::vector<std::string>(argv + 1, argv + argc));
}
