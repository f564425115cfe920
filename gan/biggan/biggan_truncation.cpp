// Picks and interpolates BigGAN-deep's stored batch-norm statistics for a truncation value
// (the correct interpolation; see biggan_truncation.h for where and why it differs from the reference).
#include "gan/biggan/biggan_truncation.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "nn/core/error.h"

namespace genint {
namespace {
// In units of grid steps: 1e-5 of 0.02 is 2e-7 in truncation, above float32 round-off of values ≤ 1
// (≤ 6e-8) and far below any truncation anyone would choose on purpose.
constexpr double kGridTolerance = 1e-5;
}  // namespace

TruncationStatistics truncation_statistics(double truncation, int n_stats) {
  GENINT_CHECK(truncation > 0.0 && truncation <= 1.0,
               "BigGAN truncation must be in (0, 1], got " + std::to_string(truncation));
  GENINT_CHECK(n_stats >= 2, "BigGAN n_stats must be at least 2, got " + std::to_string(n_stats));
  const double step = 1.0 / (n_stats - 1);
  const double ratio = truncation / step;
  const double nearest = std::round(ratio);
  TruncationStatistics choice;
  if (std::fabs(ratio - nearest) <= kGridTolerance) {
    choice.lower = static_cast<int>(nearest);
    choice.upper_weight = 0.0;
  } else {
    const double lower = std::floor(ratio);
    choice.lower = static_cast<int>(lower);
    choice.upper_weight = ratio - lower;
  }
  choice.lower = std::min(choice.lower, n_stats - 1);
  return choice;
}

void interpolate_statistics(const TruncationStatistics& choice, const float* sets, int channels, float* output) {
  const float* lower = sets + static_cast<std::ptrdiff_t>(choice.lower) * channels;
  if (choice.upper_weight == 0.0) {
    std::copy(lower, lower + channels, output);
    return;
  }
  const float* upper = lower + channels;
  // As torch evaluates `a * (1 - coef) + b * coef` on float32 tensors: each weight rounded to float once.
  const auto lower_weight = static_cast<float>(1.0 - choice.upper_weight);
  const auto upper_weight = static_cast<float>(choice.upper_weight);
  for (int channel = 0; channel < channels; ++channel) {
    output[channel] = lower[channel] * lower_weight + upper[channel] * upper_weight;
  }
}

}  // namespace genint
