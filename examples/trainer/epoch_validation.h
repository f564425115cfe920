// genint-train's per-epoch validation: an ImageNet-layout folder scored by genint-eval's code (evaluate_index, eval
// mode) at the end of every K-th epoch; the folder is indexed and checked before any training.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "examples/evaluator/evaluator.h"
#include "examples/trainer/trainer_options.h"
#include "io/dataset/dataset_index.h"
#include "nn/models/resnet.h"

namespace genint::trainer {

struct ValidationScore {
  std::uint64_t epoch = 0;  // epochs completed when it was scored (1 after the first)
  std::int64_t step = 0;    // steps done then
  double top1 = 0.0, top5 = 0.0;
  std::int64_t images = 0;   // scored
  std::int64_t skipped = 0;  // could not be decoded (not scored)
  std::vector<std::string> skipped_examples;
  double seconds = 0.0;
};

// The last and the best validation of a run, a resumed run's earlier epochs included.
struct ValidationCurve {
  std::optional<ValidationScore> last, best;
  void add(const ValidationScore& score);
};

class EpochValidation {
 public:
  // Indexes options.val_data and resolves the sizes (0: the loader config's image.size) and threads (0: the cores).
  // Throws UsageError naming --val-data (not a folder, no images, more classes than --num-classes, no natural
  // source to count epochs) or --val-resize/--val-crop; warns when the class folders differ from a plain
  // training folder's.
  EpochValidation(const TrainerOptions& options, const nlohmann::json& loader_config);

  // True when the end of epoch `completed` (1-based) is scored: every K-th, and the last of the run.
  bool due(std::uint64_t completed) const;
  // Scores every image of the folder with `model` in eval mode (its running statistics are read, not updated), in
  // batches of `batch_size`. The model's queued work must be finished.
  ValidationScore score(ResNet& model, int batch_size, std::uint64_t completed_epochs, std::int64_t step) const;
  const evaluator::EvaluationSettings& settings() const { return settings_; }
  std::size_t images() const { return index_.size(); }

 private:
  io::DatasetIndex index_;
  evaluator::EvaluationSettings settings_;
  int every_epochs_;
  int epochs_;
};

// The train-log.jsonl line of a validation: {"event": "validation", "epoch", "step", "val_top1", "val_top5",
// "val_images", "val_skipped", "seconds"}.
nlohmann::json validation_log_line(const ValidationScore& score);
// The validation lines of an existing train-log.jsonl up to epoch `completed_epochs` (a resumed run's curve so far);
// none when the file is missing.
ValidationCurve read_validation_curve(const std::string& log_path, std::uint64_t completed_epochs);

}  // namespace genint::trainer
