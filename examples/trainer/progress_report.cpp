// The progress line and the JSONL step log of genint-train. Rates are per reporting window (the samples of
// each source delivered since the last report over the wall time since then); the ETA extrapolates this run's
// mean step time.
#include "examples/trainer/progress_report.h"

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "nn/core/error.h"

namespace genint::trainer {
namespace {

const char* const kSourceNames[kSourceKinds] = {"natural", "intervention", "transferred"};

std::string format_duration(double seconds) {
  const auto total = static_cast<long long>(seconds);
  char text[48];
  std::snprintf(text, sizeof text, "%lldh%02lldm%02llds", total / 3600, (total / 60) % 60, total % 60);
  return text;
}

}  // namespace

ProgressReport::ProgressReport(const std::string& jsonl_path, bool live_line, int epochs, int report_every_steps,
                               const SkipMonitor* skips)
    : skips_(skips),
      live_line_(live_line),
      terminal_(isatty(STDERR_FILENO) != 0),
      epochs_(epochs),
      report_every_steps_(report_every_steps),
      start_(std::chrono::steady_clock::now()),
      window_start_(start_) {
  if (!jsonl_path.empty()) {
    log_ = std::fopen(jsonl_path.c_str(), "a");
    GENINT_CHECK(log_ != nullptr, "genint-train: cannot open the log '" + jsonl_path + "' for appending");
  }
}

ProgressReport::~ProgressReport() {
  if (log_ != nullptr) std::fclose(log_);
}

void ProgressReport::record_step(const StepRecord& record) {
  ++steps_this_run_;
  last_step_end_ = std::chrono::steady_clock::now();
  if (steps_this_run_ > 1) validation_seconds_ += pending_validation_seconds_;  // between the first and this one
  pending_validation_seconds_ = 0.0;
  if (steps_this_run_ == 1) {
    first_step_end_ = last_step_end_;
  } else {
    for (const int count : record.sources.count) images_after_first_step_ += static_cast<std::uint64_t>(count);
    loader_wait_after_first_step_ += record.loader_wait_seconds;
  }
  window_loader_wait_ += record.loader_wait_seconds;
  for (int kind = 0; kind < kSourceKinds; ++kind) {
    const auto slot = static_cast<std::size_t>(kind);
    window_samples_[slot] += static_cast<std::uint64_t>(record.sources.count[slot]);
    window_loss_sums_[slot] += record.sources.mean_loss[slot] * record.sources.count[slot];
  }
  if (record.step % report_every_steps_ != 0) return;
  const auto now = std::chrono::steady_clock::now();
  report(record, std::chrono::duration<double>(now - window_start_).count());
  window_start_ = now;
  window_samples_ = {};
  window_loss_sums_ = {};
  window_loader_wait_ = 0.0;
}

void ProgressReport::report(const StepRecord& record, double window_seconds) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  const double eta = record.steps_remaining < 0
                         ? -1.0
                         : elapsed / static_cast<double>(steps_this_run_) * static_cast<double>(record.steps_remaining);
  nlohmann::json sources = nlohmann::json::object();
  std::uint64_t window_images = 0;
  std::string line = "epoch " + std::to_string(record.epoch + 1) + "/" + std::to_string(epochs_) + " step " +
                     std::to_string(record.step);
  char text[160];
  for (int kind = 0; kind < kSourceKinds; ++kind) {
    const auto slot = static_cast<std::size_t>(kind);
    if (window_samples_[slot] == 0) continue;
    window_images += window_samples_[slot];
    const double rate = window_seconds > 0 ? static_cast<double>(window_samples_[slot]) / window_seconds : 0.0;
    const double loss = window_loss_sums_[slot] / static_cast<double>(window_samples_[slot]);
    sources[kSourceNames[kind]] = {{"samples", window_samples_[slot]}, {"images_per_second", rate}, {"loss", loss}};
    std::snprintf(text, sizeof text, " | %s %.1f img/s loss %.4f", kSourceNames[kind], rate, loss);
    line += text;
  }
  const double images_per_second = window_seconds > 0 ? static_cast<double>(window_images) / window_seconds : 0.0;
  const double wait_share = window_seconds > 0 ? window_loader_wait_ / window_seconds : 0.0;
  std::snprintf(text, sizeof text, " | %.1f img/s loss %.4f lr %.4g | data wait %.0f%% | ETA %s", images_per_second,
                record.loss, record.learning_rate, 100.0 * wait_share, eta < 0 ? "?" : format_duration(eta).c_str());
  line += text;
  if (skips_ != nullptr) line += skips_->progress_text();
  if (live_line_) std::fprintf(stderr, terminal_ ? "\r\033[K%s" : "%s\n", line.c_str());
  if (log_ != nullptr) {
    const nlohmann::json entry = {{"step", record.step},
                                  {"epoch", record.epoch},
                                  {"batch_index", record.batch_index},
                                  {"learning_rate", record.learning_rate},
                                  {"loss", record.loss},
                                  {"sources", sources},
                                  {"images_per_second", images_per_second},
                                  {"loader_wait_seconds", window_loader_wait_},
                                  {"loader_wait_share", wait_share},
                                  {"skipped", skips_ != nullptr ? skips_->to_json() : nlohmann::json::array()},
                                  {"elapsed_seconds", elapsed},
                                  {"eta_seconds", eta}};
    std::fprintf(log_, "%s\n", entry.dump().c_str());
    std::fflush(log_);
  }
}

void ProgressReport::record_validation(const ValidationScore& score) {
  pending_validation_seconds_ += score.seconds;
  window_start_ +=
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(score.seconds));
  char line[256];
  std::snprintf(line, sizeof line, "[val] epoch %llu/%d: top-1 %.1f %% top-5 %.1f %% (%lld images, %.1f s)",
                static_cast<unsigned long long>(score.epoch), epochs_, 100.0 * score.top1, 100.0 * score.top5,
                static_cast<long long>(score.images), score.seconds);
  std::string text = line;
  if (score.skipped > 0)
    text += "; " + std::to_string(score.skipped) + " could not be decoded and were not scored, e.g. '" +
            score.skipped_examples.front() + "'";
  std::fprintf(stderr, live_line_ && terminal_ ? "\r\033[K%s\n" : "%s\n", text.c_str());
  if (log_ != nullptr) {
    std::fprintf(log_, "%s\n", validation_log_line(score).dump().c_str());
    std::fflush(log_);
  }
}

double ProgressReport::steady_images_per_second() const {
  const double seconds = std::chrono::duration<double>(last_step_end_ - first_step_end_).count() - validation_seconds_;
  return steps_this_run_ >= 2 && seconds > 0 ? static_cast<double>(images_after_first_step_) / seconds : 0.0;
}

double ProgressReport::steady_loader_wait_share() const {
  const double seconds = std::chrono::duration<double>(last_step_end_ - first_step_end_).count() - validation_seconds_;
  return steps_this_run_ >= 2 && seconds > 0 ? loader_wait_after_first_step_ / seconds : 0.0;
}

void ProgressReport::finish() {
  if (live_line_ && terminal_) std::fprintf(stderr, "\n");
  if (log_ != nullptr) std::fflush(log_);
  // 5 %: below it, a faster loader would save less than the run-to-run spread of a step's time.
  const double share = steady_loader_wait_share();
  if (share > 0.05)
    std::fprintf(stderr,
                 "genint-train: hint: %.0f%% of the training time was spent waiting for batches: the run is "
                 "data-bound; give the loader more threads, generate fewer samples per batch, or use the GPU "
                 "source\n",
                 100.0 * share);
}

}  // namespace genint::trainer
