// genint-train's reporting: a live progress line on stderr (epoch, step, images/s and loss per source, ETA)
// and a JSONL log with one line every N steps and one per validation, appended to so that a resumed run continues
// the same file.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "examples/trainer/epoch_validation.h"
#include "examples/trainer/skip_monitor.h"
#include "examples/trainer/source_weighting.h"

namespace genint::trainer {

struct StepRecord {
  std::int64_t step = 0;  // steps done, this one included
  std::uint64_t epoch = 0;
  std::uint64_t batch_index = 0;
  double learning_rate = 0.0;
  double loss = 0.0;  // the Eq. 1 loss that was minimised
  SourceLosses sources;
  std::int64_t steps_remaining = -1;  // -1: unknown (no natural source to count epochs)
  double loader_wait_seconds = 0.0;   // how long the trainer waited for this step's batch
};

class ProgressReport {
 public:
  // jsonl_path empty: no log. live_line: refresh one stderr line in place (a terminal) or print a line each
  // report (a pipe or file).
  // skips: the run's skipped-file counts, shown on every line (may be null).
  ProgressReport(const std::string& jsonl_path, bool live_line, int epochs, int report_every_steps,
                 const SkipMonitor* skips);
  ~ProgressReport();
  ProgressReport(const ProgressReport&) = delete;
  ProgressReport& operator=(const ProgressReport&) = delete;

  void record_step(const StepRecord& record);
  // Logs a validation (its train-log.jsonl line, and one stderr line even without the live line) and leaves its
  // time out of the training rates (images/s, loader wait share) and of the current window.
  void record_validation(const ValidationScore& score);
  // Ends the live line and flushes the log; prints the data-bound hint when the loader wait share exceeds 5 %.
  void finish();
  // Images per second of the steps recorded after the first one in this run, over the time since the first was
  // recorded: the steady state, without the first step's warm-up. 0 before two steps.
  double steady_images_per_second() const;
  // The time those steps waited for their batches: near 0 when the loader keeps ahead of the training.
  double steady_loader_wait_seconds() const { return loader_wait_after_first_step_; }
  // Those waits as a share of the wall time of those steps (0 before two steps): above a few percent the run
  // is data-bound.
  double steady_loader_wait_share() const;

 private:
  void report(const StepRecord& record, double window_seconds);

  std::FILE* log_ = nullptr;
  const SkipMonitor* skips_;
  bool live_line_;
  bool terminal_;
  int epochs_;
  int report_every_steps_;
  std::chrono::steady_clock::time_point start_, window_start_;
  std::int64_t steps_this_run_ = 0;
  std::chrono::steady_clock::time_point first_step_end_, last_step_end_;
  std::uint64_t images_after_first_step_ = 0;
  double loader_wait_after_first_step_ = 0.0;
  // Validation time between the first and the last recorded step (not training time), and the time of validations
  // not yet followed by a step.
  double validation_seconds_ = 0.0, pending_validation_seconds_ = 0.0;
  double window_loader_wait_ = 0.0;
  std::array<std::uint64_t, kSourceKinds> window_samples_{};
  std::array<double, kSourceKinds> window_loss_sums_{};
};

}  // namespace genint::trainer
