// The paper's Eq. 1 as per-sample weights: loss = Σ_s λ_s · mean_{i∈s} CE_i = Σ_i (λ_{s(i)} / n_{s(i)}) · CE_i,
// plus the per-source loss means and counts the progress line and the JSONL log report.
#pragma once

#include <array>
#include <cstdint>

namespace genint::trainer {

// One slot per genint_source_kind (natural, intervention, transferred).
constexpr int kSourceKinds = 3;

// lambdas[i] is sample i's source weight λ (the loader's batch.weights); sources[i] its genint_source_kind.
// Writes weights[i] = λ_{s(i)} / n_{s(i)}, n_s = samples of source s in this batch. A source absent from the
// batch gets no weight at all. Throws genint::Error naming the sample for a source kind out of range.
void equation1_sample_weights(const std::int32_t* sources, const float* lambdas, int count, float* weights);

struct SourceLosses {
  std::array<int, kSourceKinds> count{};
  std::array<double, kSourceKinds> mean_loss{};  // mean unweighted CE of the source's samples (0 when absent)
};

// Per-source counts and mean unweighted cross-entropy from per-sample losses.
SourceLosses per_source_losses(const std::int32_t* sources, const float* sample_losses, int count);

}  // namespace genint::trainer
