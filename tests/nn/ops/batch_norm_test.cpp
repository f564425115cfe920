// Batch norm on the CPU: finite-difference checks of the training backward (input, gamma, beta), the
// definition of eval mode and the running-statistics update, and the shape checks.
#include "nn/ops/batch_norm.h"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

constexpr float kEps = 1e-5f;

struct TrainingRun {
  std::vector<float> output, saved_mean, saved_inverse_std, running_mean, running_var;
};

TrainingRun run_training(const std::vector<float>& input, const BatchNormShape& shape, const std::vector<float>& gamma,
                         const std::vector<float>& beta) {
  TrainingRun run;
  const auto channels = static_cast<std::size_t>(shape.channels);
  run.output.resize(input.size());
  run.saved_mean.resize(channels);
  run.saved_inverse_std.resize(channels);
  run.running_mean.assign(channels, 0.0f);
  run.running_var.assign(channels, 1.0f);
  batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), kEps, 0.1f, run.running_mean.data(),
                               run.running_var.data(), run.output.data(), run.saved_mean.data(),
                               run.saved_inverse_std.data());
  return run;
}

TEST(BatchNorm, TrainingBackwardMatchesFiniteDifferences) {
  const BatchNormShape shape{3, 2, 4};
  const auto input = testing::seeded_uniform(24, 1, -2.0f, 2.0f);
  const auto gamma = testing::seeded_uniform(2, 2, 0.5f, 1.5f);
  const auto beta = testing::seeded_uniform(2, 3, -1.0f, 1.0f);
  const auto weights = testing::seeded_uniform(24, 4, -1.0f, 1.0f);  // loss = Σ output·weights
  const TrainingRun run = run_training(input, shape, gamma, beta);
  std::vector<float> grad_input(input.size()), grad_gamma(2), grad_beta(2);
  batch_norm_backward_cpu(weights.data(), input.data(), shape, gamma.data(), run.saved_mean.data(),
                          run.saved_inverse_std.data(), grad_input.data(), grad_gamma.data(), grad_beta.data());
  // Step 1e-2 on inputs of spread ~1: float32 rounding ~1e-7·|loss ≈ 5|/1e-2 ≈ 5e-5 and O(step²) truncation of
  // the normalisation's curvature stay below 2e-3; dropping any term of the backward is off by ~1e-1.
  testing::expect_gradient_matches_finite_differences(
      input, grad_input,
      [&](const std::vector<float>& x) {
        return testing::weighted_sum(run_training(x, shape, gamma, beta).output, weights);
      },
      1e-2f, 2e-3, 1e-2, "grad_input");
  testing::expect_gradient_matches_finite_differences(
      gamma, grad_gamma,
      [&](const std::vector<float>& g) {
        return testing::weighted_sum(run_training(input, shape, g, beta).output, weights);
      },
      1e-2f, 2e-3, 1e-2, "grad_gamma");
  testing::expect_gradient_matches_finite_differences(
      beta, grad_beta,
      [&](const std::vector<float>& b) {
        return testing::weighted_sum(run_training(input, shape, gamma, b).output, weights);
      },
      1e-2f, 2e-3, 1e-2, "grad_beta");
}

TEST(BatchNorm, RunningStatisticsUseMomentumAndUnbiasedVariance) {
  const BatchNormShape shape{2, 1, 2};
  const std::vector<float> input{1.0f, 2.0f, 3.0f, 6.0f};  // mean 3, Σ(x−mean)² = 14
  const std::vector<float> gamma{1.0f}, beta{0.0f};
  const TrainingRun run = run_training(input, shape, gamma, beta);
  // Exact in float: 0.9·0 + 0.1·3 and 0.9·1 + 0.1·(14/3), each rounded once or twice.
  EXPECT_NEAR(run.running_mean[0], 0.3f, 1e-7);
  EXPECT_NEAR(run.running_var[0], 0.9f + 0.1f * 14.0f / 3.0f, 1e-6);
  EXPECT_NEAR(run.saved_inverse_std[0], 1.0 / std::sqrt(14.0 / 4.0 + kEps), 1e-6);  // biased variance normalises
}

TEST(BatchNorm, EvalUsesRunningStatistics) {
  const BatchNormShape shape{2, 2, 3};
  const auto input = testing::seeded_uniform(12, 5, -3.0f, 3.0f);
  const std::vector<float> gamma{0.5f, 2.0f}, beta{1.0f, -1.0f}, mean{0.25f, -0.5f}, var{4.0f, 0.25f};
  std::vector<float> output(12, -1000.0f);
  batch_norm_forward_eval_cpu(input.data(), shape, gamma.data(), beta.data(), mean.data(), var.data(), kEps,
                              output.data());
  for (std::size_t index = 0; index < input.size(); ++index) {
    const std::size_t channel = (index / 3) % 2;
    const double expected =
        (input[index] - mean[channel]) / std::sqrt(var[channel] + kEps) * gamma[channel] + beta[channel];
    EXPECT_NEAR(output[index], expected, 1e-5) << index;  // a few ulps of values up to ~15
  }
}

TEST(BatchNorm, RejectsOneValuePerChannelAndEmptyShapes) {
  std::vector<float> buffer(8, 1.0f);
  EXPECT_THROW(batch_norm_forward_train_cpu(buffer.data(), {1, 2, 1}, buffer.data(), buffer.data(), kEps, 0.1f,
                                            buffer.data(), buffer.data(), buffer.data(), buffer.data(), buffer.data()),
               Error);
  EXPECT_THROW(batch_norm_forward_eval_cpu(buffer.data(), {2, 0, 2}, buffer.data(), buffer.data(), buffer.data(),
                                           buffer.data(), kEps, buffer.data()),
               Error);
}

}  // namespace
}  // namespace genint
