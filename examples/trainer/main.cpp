// genint-train: trains a ResNet on batches from genint's loader (C API) with the paper's Eq. 1 loss.
// Usage: genint-train --help; every failure prints one line naming what is wrong and exits with 1.
#include <cstdio>
#include <string>
#include <vector>

#include "examples/trainer/trainer.h"

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h") {
    std::fputs(genint::trainer::trainer_usage().c_str(), arguments.empty() ? stderr : stdout);
    return arguments.empty() ? 2 : 0;
  }
  try {
    const genint::trainer::TrainingSummary summary =
        genint::trainer::run_training(genint::trainer::parse_trainer_arguments(arguments));
    std::printf(
        "{\"steps\": %lld, \"epoch\": %llu, \"last_loss\": %.6f, \"images_per_second\": %.1f, "
        "\"loader_wait_seconds\": %.3f, \"checkpoint\": \"%s\"}\n",
        static_cast<long long>(summary.steps), static_cast<unsigned long long>(summary.epoch), summary.last_loss,
        summary.images_per_second, summary.loader_wait_seconds, summary.last_checkpoint.c_str());
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "%s\n", error.what());
    return 1;
  }
}
