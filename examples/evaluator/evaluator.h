// genint-eval's work: a trained ResNet scored on ImageNet-layout folders, ImageNet-V2, ObjectNet (both
// scorings) and ImageNet-C (per-corruption error, mCE); images decoded by io's natural pipeline in eval mode.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "examples/evaluator/evaluation_metrics.h"
#include "io/dataset/dataset_index.h"
#include "nn/models/resnet.h"

namespace genint::evaluator {

// How many skipped files' paths a result keeps to name them in reports.
constexpr std::size_t kSkippedExamples = 8;

struct EvaluationSettings {
  int resize = 256;  // Resize(shorter side) before the centre crop
  int crop = 224;    // CenterCrop: the model's input size
  int batch_size = 64;
  int threads = 4;                  // decoding threads
  int border_crop = -1;             // pixels cut from every side first; -1: 2 for ObjectNet (its red frame), else 0
  bool record_predictions = false;  // keep every scored file's prediction (genint-eval --predictions-out)
};

// One scored file: what the model predicted and how sure it was (softmax over all logits).
struct SamplePrediction {
  std::size_t file = 0;  // index in the DatasetIndex
  std::int32_t label = 0;
  std::int32_t predicted = 0;          // argmax over all logits
  float predicted_probability = 0.0f;  // softmax probability of `predicted`
  float label_probability = 0.0f;      // softmax probability of the file's label (0 when it has no logit)
};

struct DatasetScores {
  std::string layout;
  std::int64_t skipped = 0;                   // files that could not be decoded (not scored)
  std::vector<std::string> skipped_examples;  // the first kSkippedExamples of them (full paths)
  TopKCounts all_logits;                      // ObjectNet: argmax over every logit; others: the only scoring
  TopKCounts mapped_logits;                   // ObjectNet only: only the mapped ImageNet classes compete
  bool has_mapped_scoring = false;
  std::vector<SamplePrediction> predictions;  // in file order; only with record_predictions
};

// Scores every file of `index` (labels: ImageFolder/V2/file lists = class index; ObjectNet = its target set).
DatasetScores evaluate_index(ResNet& model, const io::DatasetIndex& index, const EvaluationSettings& settings);

// ROOT/<corruption>/<severity>/<class>/...: top-1 error per corruption and severity, then mCE against
// `reference_errors` (AlexNet's unless given).
CorruptionSummary evaluate_imagenet_c(ResNet& model, const std::string& root, const EvaluationSettings& settings,
                                      const std::map<std::string, double>& reference_errors);

nlohmann::json scores_to_json(const DatasetScores& scores);
// CSV with a header: file (relative to the index root), label, prediction, prediction_probability,
// label_probability; one row per scored file. Other tools join it with per-file records (nuisances) by `file`.
std::string predictions_to_csv(const io::DatasetIndex& index, const std::vector<SamplePrediction>& predictions);
nlohmann::json corruptions_to_json(const CorruptionSummary& summary);
std::string scores_to_markdown(const std::string& name, const DatasetScores& scores);
std::string corruptions_to_markdown(const CorruptionSummary& summary);

}  // namespace genint::evaluator
