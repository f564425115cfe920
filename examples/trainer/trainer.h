// genint-train's loop: a ResNet fed by the loader through the C API (loader/genint.h), the Eq. 1 loss,
// momentum SGD on an epoch schedule, checkpoints and exact resume.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "examples/trainer/epoch_validation.h"
#include "examples/trainer/trainer_options.h"

namespace genint::trainer {

struct TrainingSummary {
  std::int64_t steps = 0;       // steps done in total (a resumed run counts the earlier ones too)
  std::uint64_t epoch = 0;      // natural epoch of the next batch
  std::string last_checkpoint;  // folder of the checkpoint written last
  double last_loss = 0.0;
  // Images trained per second in this run after its first step (which sizes the arena and chooses algorithms),
  // from the first step's end to the last's; 0 when the run took fewer than two steps.
  double images_per_second = 0.0;
  double loader_wait_seconds = 0.0;  // of those steps: the time spent waiting for batches
  double loader_wait_share = 0.0;    // that time over those steps' wall time
  nlohmann::json skipped;            // per source: skipped files by reason (SkipMonitor::to_json)
  // Why the run stopped early, after its checkpoint: the signal (SIGTERM, SIGINT) that asked, or 0; the
  // --max-skipped-fraction error, or empty.
  int stop_signal = 0;
  std::string skip_limit_error;
  bool validating = false;     // --val-data given (and --val-every-epochs > 0)
  ValidationCurve validation;  // last and best, a resumed run's earlier epochs included (from train-log.jsonl)
};

// Trains until the natural stream reaches options.epochs (or options.max_steps), or until a stop signal
// (stop_signals.h) or too many skipped files stop it early; a checkpoint is written in every case. With
// options.val_data, scores that folder after every options.val_every_epochs-th epoch and the last. Throws
// genint::Error (UsageError for a bad --val-data, before any training).
TrainingSummary run_training(const TrainerOptions& options);

}  // namespace genint::trainer
