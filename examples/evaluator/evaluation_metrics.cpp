// Top-k scoring and ImageNet-C mCE for genint-eval. The AlexNet constants are those of the ImageNet-C
// paper's released evaluation (../shared/reference/facts.md).
#include "examples/evaluator/evaluation_metrics.h"

#include <algorithm>
#include <array>
#include <fstream>
#include <nlohmann/json.hpp>

#include "nn/core/error.h"

namespace genint::evaluator {
namespace {

bool better(const float* logits, std::int32_t a, std::int32_t b) {
  return logits[a] > logits[b] || (logits[a] == logits[b] && a < b);
}

}  // namespace

void score_sample(const float* logits, int classes, const std::vector<std::int32_t>& targets,
                  const std::vector<std::int32_t>& candidates, TopKCounts& counts) {
  constexpr int kTop = 5;
  std::array<std::int32_t, kTop> best{};
  int filled = 0;
  auto consider = [&](std::int32_t index) {
    int position = filled < kTop ? filled : kTop;
    while (position > 0 && better(logits, index, best[static_cast<std::size_t>(position - 1)])) --position;
    if (position >= kTop) return;
    for (int move = std::min(filled, kTop - 1); move > position; --move)
      best[static_cast<std::size_t>(move)] = best[static_cast<std::size_t>(move - 1)];
    best[static_cast<std::size_t>(position)] = index;
    filled = std::min(filled + 1, kTop);
  };
  if (candidates.empty()) {
    for (std::int32_t index = 0; index < classes; ++index) consider(index);
  } else {
    for (const std::int32_t index : candidates) {
      GENINT_CHECK(index >= 0 && index < classes, "candidate class " + std::to_string(index) + " is outside the " +
                                                      std::to_string(classes) + " logits");
      consider(index);
    }
  }
  ++counts.samples;
  for (int rank = 0; rank < filled; ++rank) {
    if (std::binary_search(targets.begin(), targets.end(), best[static_cast<std::size_t>(rank)])) {
      if (rank == 0) ++counts.top1;
      ++counts.top5;
      break;
    }
  }
}

const std::map<std::string, double>& alexnet_corruption_errors() {
  static const std::map<std::string, double> errors = {{"gaussian_noise", 0.886428},
                                                       {"shot_noise", 0.894468},
                                                       {"impulse_noise", 0.922640},
                                                       {"defocus_blur", 0.819880},
                                                       {"glass_blur", 0.826268},
                                                       {"motion_blur", 0.785948},
                                                       {"zoom_blur", 0.798360},
                                                       {"snow", 0.866816},
                                                       {"frost", 0.826572},
                                                       {"fog", 0.819324},
                                                       {"brightness", 0.564592},
                                                       {"contrast", 0.853204},
                                                       {"elastic_transform", 0.646056},
                                                       {"pixelate", 0.717840},
                                                       {"jpeg_compression", 0.606500}};
  return errors;
}

void compute_mce(CorruptionSummary& summary, const std::map<std::string, double>& reference_errors) {
  summary.mean_error.clear();
  summary.corruption_error.clear();
  double sum = 0.0;
  for (const auto& [corruption, severities] : summary.error_by_severity) {
    GENINT_CHECK(!severities.empty(), "corruption '" + corruption + "' has no severity folder");
    double total = 0.0;
    for (const auto& entry : severities) total += entry.second;
    const double mean = total / static_cast<double>(severities.size());
    const auto reference = reference_errors.find(corruption);
    GENINT_CHECK(reference != reference_errors.end(),
                 "mCE: the reference errors have no entry for corruption '" + corruption + "'");
    GENINT_CHECK(reference->second > 0.0, "mCE: the reference error of '" + corruption + "' must be positive");
    summary.mean_error[corruption] = mean;
    summary.corruption_error[corruption] = mean / reference->second;
    sum += mean / reference->second;
  }
  summary.mce = summary.corruption_error.empty() ? 0.0 : sum / static_cast<double>(summary.corruption_error.size());
}

std::map<std::string, double> read_reference_errors(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  GENINT_CHECK(file.good(), "--reference-errors: cannot read '" + path + "'");
  std::map<std::string, double> errors;
  try {
    const nlohmann::json document = nlohmann::json::parse(file);
    GENINT_CHECK(document.is_object(), path + ": expected an object {\"corruption\": error, ...}");
    for (auto entry = document.begin(); entry != document.end(); ++entry) {
      GENINT_CHECK(entry.value().is_number(), path + ": the error of '" + entry.key() + "' is not a number");
      errors[entry.key()] = entry.value().get<double>();
    }
  } catch (const nlohmann::json::exception& error) {
    throw Error(path + ": not valid JSON: " + error.what());
  }
  return errors;
}

}  // namespace genint::evaluator
