// genint-train: trains a ResNet on batches from genint's loader (C API) with the paper's Eq. 1 loss.
// Usage: genint-train --help. Exit status: 0 done, 2 bad usage (the option named on stderr), 1 any other failure.
#include <cstdio>
#include <string>
#include <vector>

#include "examples/trainer/trainer.h"

namespace {

int train(const genint::trainer::TrainerArguments& arguments) {
  const genint::trainer::TrainerOptions options = genint::trainer::finish_trainer_arguments(arguments);
  options.validate();  // usage mistakes are reported before the model and the loader are built
  const genint::trainer::TrainingSummary summary = genint::trainer::run_training(options);
  std::printf(
      "{\"steps\": %lld, \"epoch\": %llu, \"last_loss\": %.6f, \"images_per_second\": %.1f, "
      "\"loader_wait_seconds\": %.3f, \"checkpoint\": \"%s\"}\n",
      static_cast<long long>(summary.steps), static_cast<unsigned long long>(summary.epoch), summary.last_loss,
      summary.images_per_second, summary.loader_wait_seconds, summary.last_checkpoint.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return genint::run_tool("genint-train",
                          "genint-train: trains a ResNet on batches from genint's loader with the paper's Eq. 1 loss",
                          genint::make_command(genint::trainer::declare_trainer_options, train),
                          std::vector<std::string>(argv + 1, argv + argc));
}
