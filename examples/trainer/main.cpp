// genint-train: trains a ResNet on batches from genint's loader (C API) with the paper's Eq. 1 loss.
// Usage: genint-train --help. Exit status: 0 done, 2 bad usage, 1 any other failure, 65 too many skipped files,
// 75 stopped by SIGTERM/SIGINT (docs/trainer.md); the last two after writing a checkpoint.
#include <csignal>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "examples/trainer/stop_signals.h"
#include "examples/trainer/trainer.h"

namespace {

// EX_DATAERR of sysexits.h: the data, not the command line or the program, stopped the run.
constexpr int kExitTooManySkipped = 65;

int train(const genint::trainer::TrainerArguments& arguments) {
  const genint::trainer::TrainerOptions options = genint::trainer::finish_trainer_arguments(arguments);
  options.validate();  // usage mistakes are reported before the model and the loader are built
  const genint::trainer::StopSignals stop_signals;
  const genint::trainer::TrainingSummary summary = genint::trainer::run_training(options);
  nlohmann::json line = {{"steps", summary.steps},
                         {"epoch", summary.epoch},
                         {"last_loss", summary.last_loss},
                         {"images_per_second", summary.images_per_second},
                         {"loader_wait_seconds", summary.loader_wait_seconds},
                         {"loader_wait_share", summary.loader_wait_share},
                         {"skipped", summary.skipped},
                         {"checkpoint", summary.last_checkpoint}};
  if (summary.validating) {  // null until a validation ran
    const auto& curve = summary.validation;
    line["val_top1"] = curve.last ? nlohmann::json(curve.last->top1) : nlohmann::json();
    line["best_val_top1"] = curve.best ? nlohmann::json(curve.best->top1) : nlohmann::json();
    line["best_val_epoch"] = curve.best ? nlohmann::json(curve.best->epoch) : nlohmann::json();
  }
  if (summary.stop_signal != 0) line["stopped_by"] = summary.stop_signal == SIGINT ? "SIGINT" : "SIGTERM";
  if (!summary.skip_limit_error.empty()) line["stopped_by"] = "max-skipped-fraction";
  std::printf("%s\n", line.dump().c_str());
  std::fflush(stdout);
  if (!summary.skip_limit_error.empty()) {
    std::fprintf(stderr, "genint-train: error: %s checkpoint written to '%s'\n", summary.skip_limit_error.c_str(),
                 summary.last_checkpoint.c_str());
    return kExitTooManySkipped;
  }
  if (summary.stop_signal != 0) {
    std::fprintf(stderr,
                 "genint-train: stopped by %s after step %lld; checkpoint '%s'; continue with --resume latest\n",
                 summary.stop_signal == SIGINT ? "SIGINT" : "SIGTERM", static_cast<long long>(summary.steps),
                 summary.last_checkpoint.c_str());
    return genint::trainer::kExitPreempted;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  return genint::run_tool("genint-train",
                          "genint-train: trains a ResNet on batches from genint's loader with the paper's Eq. 1 loss",
                          genint::make_command(genint::trainer::declare_trainer_options, train),
                          std::vector<std::string>(argv + 1, argv + argc));
}
