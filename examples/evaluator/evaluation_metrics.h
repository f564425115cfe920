// genint-eval's scoring: top-1/top-5 against a set of correct indices (one for ImageNet, several for an
// ObjectNet class), optionally restricted to a subset of logits, and ImageNet-C's corruption error and mCE.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace genint::evaluator {

struct TopKCounts {
  std::int64_t samples = 0;
  std::int64_t top1 = 0;
  std::int64_t top5 = 0;
  double top1_accuracy() const { return samples > 0 ? static_cast<double>(top1) / static_cast<double>(samples) : 0.0; }
  double top5_accuracy() const { return samples > 0 ? static_cast<double>(top5) / static_cast<double>(samples) : 0.0; }
};

// Counts one sample: correct at k when one of the k highest logits is in `targets` (sorted). candidates
// non-empty: only those logit indices compete (ObjectNet's restricted scoring). Ties go to the lower index,
// as torch.topk on CPU does for distinct values.
void score_sample(const float* logits, int classes, const std::vector<std::int32_t>& targets,
                  const std::vector<std::int32_t>& candidates, TopKCounts& counts);

// AlexNet's mean top-1 error per ImageNet-C corruption (Hendrycks & Dietterich), the default mCE reference.
const std::map<std::string, double>& alexnet_corruption_errors();

struct CorruptionSummary {
  std::map<std::string, std::map<int, double>> error_by_severity;  // corruption → severity → top-1 error
  std::map<std::string, double> mean_error;                        // corruption → mean over its severities
  std::map<std::string, double> corruption_error;                  // CE_c = mean error / reference mean error
  double mce = 0.0;                                                // mean of CE_c over corruptions
  std::int64_t skipped = 0;                   // files that could not be decoded, over every corruption and severity
  std::vector<std::string> skipped_examples;  // the first few of them (full paths)
};

// Fills mean_error, corruption_error and mce from error_by_severity. Σ_s E_s,c / Σ_s E^ref_s,c equals the
// ratio of means when both have the same severities, which is how the reference constants are given. Throws
// genint::Error naming a corruption the reference lacks or whose reference error is not positive.
void compute_mce(CorruptionSummary& summary, const std::map<std::string, double>& reference_errors);

// Reads {"gaussian_noise": 0.88, ...} (errors as fractions) from a JSON file.
std::map<std::string, double> read_reference_errors(const std::string& path);

}  // namespace genint::evaluator
