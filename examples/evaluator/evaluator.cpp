// Batched evaluation for genint-eval: decoding threads fill one reused float CHW batch buffer through
// NaturalSampleMaker (eval mode), the model runs forward in eval mode, each sample is scored on the host.
#include "examples/evaluator/evaluator.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <memory>
#include <set>
#include <thread>

#include "io/natural/natural_pipeline.h"
#include "nn/core/error.h"

namespace genint::evaluator {
namespace {

// Reused across batches: one sample maker per decoding thread, one batch buffer, one host logits buffer.
class BatchScorer {
 public:
  BatchScorer(ResNet& model, const EvaluationSettings& settings, int border_crop) : model_(model), settings_(settings) {
    io::NaturalPipelineConfig config;
    config.output_size = settings.crop;
    config.mode = io::PipelineMode::Eval;
    config.eval_resize_size = settings.resize;
    config.border_crop_pixels = border_crop;
    config.layout = io::OutputLayout::FloatCHW;
    for (int thread = 0; thread < settings.threads; ++thread)
      makers_.push_back(std::make_unique<io::NaturalSampleMaker>(config));
    sample_floats_ = makers_.front()->output_values();
    images_.resize(sample_floats_ * static_cast<std::size_t>(settings.batch_size));
    decoded_.resize(static_cast<std::size_t>(settings.batch_size));
    logits_.resize(static_cast<std::size_t>(settings.batch_size) *
                   static_cast<std::size_t>(model.config().num_classes));
  }

  // Decodes files [begin, end) of `index` into the batch buffer and runs the model; returns the logits
  // (row i = file begin + i) and marks undecodable samples in decoded().
  const float* run(const io::DatasetIndex& index, std::size_t begin, std::size_t end) {
    const int count = static_cast<int>(end - begin);
    decode_parallel(index, begin, count);
    const Tensor input = model_.upload_images(images_.data(), count, settings_.crop, settings_.crop);
    const Tensor logits = model_.forward(input, BatchNormMode::Eval);
    // The forward is queued on the model's stream; the copy below runs on the legacy default stream, which a
    // non-blocking stream (genint-train's) is not ordered with.
    model_.synchronize();
    logits.copy_to_host(logits_.data(), logits.byte_count());
    return logits_.data();
  }
  bool decoded(int sample) const { return decoded_[static_cast<std::size_t>(sample)] != 0; }

 private:
  void decode_parallel(const io::DatasetIndex& index, std::size_t begin, int count) {
    const int threads = std::min(settings_.threads, count);
    std::vector<std::thread> workers;
    std::vector<std::exception_ptr> failures(static_cast<std::size_t>(threads));
    for (int thread = 0; thread < threads; ++thread) {
      workers.emplace_back([&, thread] {
        try {
          std::string path;
          for (int sample = thread; sample < count; sample += threads) {
            index.full_path_into(begin + static_cast<std::size_t>(sample), path);
            float* output = images_.data() + sample_floats_ * static_cast<std::size_t>(sample);
            const io::SampleResult result = makers_[static_cast<std::size_t>(thread)]->make_from_file(path, 0, output);
            const bool ok = io::decode_outcome_has_pixels(result.outcome);
            if (!ok) std::fill(output, output + sample_floats_, 0.0f);
            decoded_[static_cast<std::size_t>(sample)] = ok ? 1 : 0;
          }
        } catch (...) {
          failures[static_cast<std::size_t>(thread)] = std::current_exception();
        }
      });
    }
    for (std::thread& worker : workers) worker.join();
    for (const std::exception_ptr& failure : failures)
      if (failure) std::rethrow_exception(failure);
  }

  ResNet& model_;
  EvaluationSettings settings_;
  std::vector<std::unique_ptr<io::NaturalSampleMaker>> makers_;  // not movable: held by pointer
  std::size_t sample_floats_ = 0;
  std::vector<float> images_;
  std::vector<char> decoded_;
  std::vector<float> logits_;
};

std::vector<std::int32_t> mapped_classes(const io::DatasetIndex& index) {
  std::set<std::int32_t> all;
  for (std::size_t label = 0; label < index.class_count(); ++label) {
    const std::vector<std::int32_t> targets = index.target_set(static_cast<std::int32_t>(label));
    all.insert(targets.begin(), targets.end());
  }
  return {all.begin(), all.end()};
}

// Softmax over all logits, computed stably from the largest logit; the label's probability is the best of its
// targets (one for ImageFolder/V2/file lists, an ObjectNet class's mapped indices otherwise).
SamplePrediction predict_sample(const float* logits, int classes, std::size_t file, std::int32_t label,
                                const std::vector<std::int32_t>& targets) {
  const float* largest = std::max_element(logits, logits + classes);
  double normaliser = 0.0;
  for (int index = 0; index < classes; ++index) normaliser += std::exp(static_cast<double>(logits[index] - *largest));
  SamplePrediction prediction;
  prediction.file = file;
  prediction.label = label;
  prediction.predicted = static_cast<std::int32_t>(largest - logits);
  prediction.predicted_probability = static_cast<float>(1.0 / normaliser);
  for (std::int32_t target : targets)
    if (target >= 0 && target < classes)
      prediction.label_probability =
          std::max(prediction.label_probability,
                   static_cast<float>(std::exp(static_cast<double>(logits[target] - *largest)) / normaliser));
  return prediction;
}

nlohmann::json counts_to_json(const TopKCounts& counts) {
  return {{"samples", counts.samples}, {"top1", counts.top1_accuracy()}, {"top5", counts.top5_accuracy()}};
}

}  // namespace

DatasetScores evaluate_index(ResNet& model, const io::DatasetIndex& index, const EvaluationSettings& settings) {
  GENINT_CHECK(settings.batch_size > 0 && settings.threads > 0 && settings.crop > 0 && settings.resize >= settings.crop,
               "genint-eval: need batch size > 0, threads > 0 and resize >= crop > 0");
  const bool objectnet = index.has_target_sets();
  const int border = settings.border_crop >= 0 ? settings.border_crop : (objectnet ? 2 : 0);
  DatasetScores scores;
  scores.layout = io::dataset_layout_name(index.layout());
  scores.has_mapped_scoring = objectnet;
  const std::vector<std::int32_t> candidates = objectnet ? mapped_classes(index) : std::vector<std::int32_t>{};
  std::vector<std::vector<std::int32_t>> targets(index.class_count());
  for (std::size_t label = 0; label < targets.size(); ++label)
    targets[label] = objectnet ? index.target_set(static_cast<std::int32_t>(label))
                               : std::vector<std::int32_t>{static_cast<std::int32_t>(label)};
  const int classes = model.config().num_classes;
  BatchScorer scorer(model, settings, border);
  if (settings.record_predictions) scores.predictions.reserve(index.size());
  for (std::size_t begin = 0; begin < index.size(); begin += static_cast<std::size_t>(settings.batch_size)) {
    const std::size_t end = std::min(index.size(), begin + static_cast<std::size_t>(settings.batch_size));
    const float* logits = scorer.run(index, begin, end);
    for (std::size_t file = begin; file < end; ++file) {
      const int sample = static_cast<int>(file - begin);
      if (!scorer.decoded(sample)) {
        ++scores.skipped;
        if (scores.skipped_examples.size() < kSkippedExamples) scores.skipped_examples.push_back(index.full_path(file));
        continue;
      }
      const auto label = static_cast<std::size_t>(index.label(file));
      const float* row = logits + static_cast<std::size_t>(sample) * static_cast<std::size_t>(classes);
      score_sample(row, classes, targets[label], {}, scores.all_logits);
      if (objectnet) score_sample(row, classes, targets[label], candidates, scores.mapped_logits);
      if (settings.record_predictions)
        scores.predictions.push_back(predict_sample(row, classes, file, index.label(file), targets[label]));
    }
  }
  return scores;
}

CorruptionSummary evaluate_imagenet_c(ResNet& model, const std::string& root, const EvaluationSettings& settings,
                                      const std::map<std::string, double>& reference_errors) {
  CorruptionSummary summary;
  for (const auto& corruption : std::filesystem::directory_iterator(root)) {
    if (!corruption.is_directory() || corruption.path().filename().string().front() == '.') continue;
    for (const auto& severity : std::filesystem::directory_iterator(corruption.path())) {
      const std::string name = severity.path().filename().string();
      if (!severity.is_directory() || name.front() == '.') continue;
      GENINT_CHECK(name.size() == 1 && name[0] >= '1' && name[0] <= '5',
                   severity.path().string() + ": ImageNet-C severity folders are named 1 to 5");
      io::DatasetIndexOptions options;
      options.layout = io::DatasetLayout::ImageFolder;
      const io::DatasetIndex index = io::build_dataset_index(severity.path().string(), options);
      const DatasetScores scores = evaluate_index(model, index, settings);
      summary.skipped += scores.skipped;
      for (const std::string& path : scores.skipped_examples)
        if (summary.skipped_examples.size() < kSkippedExamples) summary.skipped_examples.push_back(path);
      GENINT_CHECK(scores.all_logits.samples > 0, severity.path().string() + ": no decodable image");
      summary.error_by_severity[corruption.path().filename().string()][name[0] - '0'] =
          1.0 - scores.all_logits.top1_accuracy();
    }
  }
  GENINT_CHECK(!summary.error_by_severity.empty(), root + ": no <corruption>/<severity>/<class>/ folders found");
  compute_mce(summary, reference_errors);
  return summary;
}

nlohmann::json scores_to_json(const DatasetScores& scores) {
  nlohmann::json result = {
      {"layout", scores.layout}, {"skipped", scores.skipped}, {"skipped_examples", scores.skipped_examples}};
  result["all_logits"] = counts_to_json(scores.all_logits);
  if (scores.has_mapped_scoring) result["mapped_logits"] = counts_to_json(scores.mapped_logits);
  return result;
}

nlohmann::json corruptions_to_json(const CorruptionSummary& summary) {
  nlohmann::json corruptions = nlohmann::json::object();
  for (const auto& [name, severities] : summary.error_by_severity) {
    nlohmann::json by_severity = nlohmann::json::object();
    for (const auto& [severity, error] : severities) by_severity[std::to_string(severity)] = error;
    corruptions[name] = {{"error_by_severity", by_severity},
                         {"mean_error", summary.mean_error.at(name)},
                         {"corruption_error", summary.corruption_error.at(name)}};
  }
  return {{"corruptions", corruptions},
          {"mce", summary.mce},
          {"skipped", summary.skipped},
          {"skipped_examples", summary.skipped_examples}};
}

std::string predictions_to_csv(const io::DatasetIndex& index, const std::vector<SamplePrediction>& predictions) {
  std::string text = "file,label,prediction,prediction_probability,label_probability\n";
  char numbers[128];
  for (const SamplePrediction& prediction : predictions) {
    const std::string_view path = index.stored_path(prediction.file);
    GENINT_CHECK(path.find_first_of(",\"\n") == std::string_view::npos,
                 "genint-eval: '" + std::string(path) + "' has a comma, quote or newline; it cannot be a CSV field");
    std::snprintf(numbers, sizeof numbers, ",%d,%d,%.9g,%.9g\n", prediction.label, prediction.predicted,
                  static_cast<double>(prediction.predicted_probability),
                  static_cast<double>(prediction.label_probability));
    text.append(path).append(numbers);
  }
  return text;
}

std::string scores_to_markdown(const std::string& name, const DatasetScores& scores) {
  char line[256];
  std::string text = "| dataset | scoring | images | skipped | top-1 % | top-5 % |\n|---|---|---:|---:|---:|---:|\n";
  std::snprintf(line, sizeof line, "| %s | all logits | %lld | %lld | %.2f | %.2f |\n", name.c_str(),
                static_cast<long long>(scores.all_logits.samples), static_cast<long long>(scores.skipped),
                100 * scores.all_logits.top1_accuracy(), 100 * scores.all_logits.top5_accuracy());
  text += line;
  if (scores.has_mapped_scoring) {
    std::snprintf(line, sizeof line, "| %s | mapped classes only | %lld | %lld | %.2f | %.2f |\n", name.c_str(),
                  static_cast<long long>(scores.mapped_logits.samples), static_cast<long long>(scores.skipped),
                  100 * scores.mapped_logits.top1_accuracy(), 100 * scores.mapped_logits.top5_accuracy());
    text += line;
  }
  return text;
}

std::string corruptions_to_markdown(const CorruptionSummary& summary) {
  char line[256];
  std::string text = "| corruption | mean error % | CE % |\n|---|---:|---:|\n";
  for (const auto& [name, error] : summary.mean_error) {
    std::snprintf(line, sizeof line, "| %s | %.2f | %.2f |\n", name.c_str(), 100 * error,
                  100 * summary.corruption_error.at(name));
    text += line;
  }
  std::snprintf(line, sizeof line, "| **mCE** | | %.2f |\n", 100 * summary.mce);
  text += line;
  if (summary.skipped > 0) {
    std::snprintf(line, sizeof line, "\n%lld files could not be decoded and were not scored.\n",
                  static_cast<long long>(summary.skipped));
    text += line;
  }
  return text;
}

}  // namespace genint::evaluator
