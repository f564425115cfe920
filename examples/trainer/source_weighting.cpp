// Eq. 1 weights (λ_s / n_s per sample) and per-source loss means for genint-train.
// Kept free of the model so the weighting can be checked against a hand computation.
#include "examples/trainer/source_weighting.h"

#include <string>

#include "nn/core/error.h"

namespace genint::trainer {
namespace {

std::array<int, kSourceKinds> count_per_source(const std::int32_t* sources, int count) {
  std::array<int, kSourceKinds> counts{};
  for (int sample = 0; sample < count; ++sample) {
    const std::int32_t kind = sources[sample];
    GENINT_CHECK(kind >= 0 && kind < kSourceKinds, "batch sample " + std::to_string(sample) + " has source kind " +
                                                       std::to_string(kind) + " (expected 0, 1 or 2)");
    ++counts[static_cast<std::size_t>(kind)];
  }
  return counts;
}

}  // namespace

void equation1_sample_weights(const std::int32_t* sources, const float* lambdas, int count, float* weights) {
  const std::array<int, kSourceKinds> counts = count_per_source(sources, count);
  for (int sample = 0; sample < count; ++sample) {
    const int samples_of_source = counts[static_cast<std::size_t>(sources[sample])];
    weights[sample] = lambdas[sample] / static_cast<float>(samples_of_source);
  }
}

SourceLosses per_source_losses(const std::int32_t* sources, const float* sample_losses, int count) {
  SourceLosses result;
  result.count = count_per_source(sources, count);
  std::array<double, kSourceKinds> sums{};
  for (int sample = 0; sample < count; ++sample)
    sums[static_cast<std::size_t>(sources[sample])] += sample_losses[sample];
  for (std::size_t kind = 0; kind < sums.size(); ++kind)
    result.mean_loss[kind] = result.count[kind] > 0 ? sums[kind] / result.count[kind] : 0.0;
  return result;
}

}  // namespace genint::trainer
