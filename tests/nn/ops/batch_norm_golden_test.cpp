// Batch norm (training forward with running-stat update, eval forward, backward) against PyTorch 1.13 goldens
// made by tools/golden/make_nn_elementwise_goldens.py.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/batch_norm.h"
#include "support/golden_file.h"

namespace genint {
namespace {

BatchNormShape shape_of(const testing::GoldenFile& golden) {
  return {golden.dimension("input", 0), golden.dimension("input", 1),
          golden.dimension("input", 2) * golden.dimension("input", 3)};
}

TEST(BatchNormGolden, TrainingForwardBackwardAndRunningStatisticsMatchTorch) {
  const auto golden = testing::open_nn_golden("batch_norm_train");
  const BatchNormShape shape = shape_of(golden);
  const auto input = golden.read<float>("input");
  const auto gamma = golden.read<float>("gamma");
  const auto beta = golden.read<float>("beta");
  auto running_mean = golden.read<float>("running_mean_before");
  auto running_var = golden.read<float>("running_var_before");
  const float eps = golden.read<float>("eps")[0];
  const float momentum = golden.read<float>("momentum")[0];
  std::vector<float> output(input.size()), saved_mean(gamma.size()), saved_inverse_std(gamma.size());
  batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), eps, momentum, running_mean.data(),
                               running_var.data(), output.data(), saved_mean.data(), saved_inverse_std.data());
  // Normalised values are O(1) and torch accumulates its statistics in float32 on some paths (we use double):
  // a few float32 ulps of O(1) values plus the statistics' own rounding.
  testing::expect_all_close(output, golden.read<float>("output"), 1e-5, 1e-5, "output");
  testing::expect_all_close(saved_mean, golden.read<float>("saved_mean"), 1e-6, 1e-5, "saved_mean");
  testing::expect_all_close(saved_inverse_std, golden.read<float>("saved_inverse_std"), 1e-6, 1e-5,
                            "saved_inverse_std");
  testing::expect_all_close(running_mean, golden.read<float>("running_mean_after"), 1e-6, 1e-5, "running_mean");
  testing::expect_all_close(running_var, golden.read<float>("running_var_after"), 1e-6, 1e-5, "running_var");

  const auto grad_output = golden.read<float>("R");
  std::vector<float> grad_input(input.size()), grad_gamma(gamma.size()), grad_beta(gamma.size());
  batch_norm_backward_cpu(grad_output.data(), input.data(), shape, gamma.data(), saved_mean.data(),
                          saved_inverse_std.data(), grad_input.data(), grad_gamma.data(), grad_beta.data());
  // Gradients are differences of O(1) terms summed over 120 values per channel: 1e-5 absolute covers the
  // float32 rounding of the two sums and of the subtraction.
  testing::expect_all_close(grad_input, golden.read<float>("grad_input"), 1e-5, 1e-4, "grad_input");
  testing::expect_all_close(grad_gamma, golden.read<float>("grad_gamma"), 1e-5, 1e-5, "grad_gamma");
  testing::expect_all_close(grad_beta, golden.read<float>("grad_beta"), 1e-5, 1e-5, "grad_beta");
}

TEST(BatchNormGolden, EvalForwardMatchesTorch) {
  const auto golden = testing::open_nn_golden("batch_norm_eval");
  const BatchNormShape shape = shape_of(golden);
  const auto input = golden.read<float>("input");
  std::vector<float> output(input.size());
  batch_norm_forward_eval_cpu(input.data(), shape, golden.read<float>("gamma").data(),
                              golden.read<float>("beta").data(), golden.read<float>("running_mean").data(),
                              golden.read<float>("running_var").data(), golden.read<float>("eps")[0], output.data());
  // Outputs up to ~20 in size; torch folds scale and shift differently: a few ulps of the result.
  testing::expect_all_close(output, golden.read<float>("output"), 1e-5, 1e-5, "output");
}

}  // namespace
}  // namespace genint
