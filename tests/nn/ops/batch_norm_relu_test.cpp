// Batch norm fused with a following ReLU on the CPU: the fused training backward and the forwards' fused ReLU
// against the unfused composition (relu_backward_cpu then batch_norm_backward_cpu; the forward then relu_forward_cpu).
#include <gtest/gtest.h>

#include <cstddef>
#include <vector>

#include "nn/ops/batch_norm.h"
#include "nn/ops/op_test_support.h"
#include "nn/ops/relu.h"

namespace genint {
namespace {

constexpr float kEps = 1e-5f;

struct Statistics {
  std::vector<float> mean, inverse_std, running_mean, running_var;
  explicit Statistics(int channels)
      : mean(static_cast<std::size_t>(channels)),
        inverse_std(static_cast<std::size_t>(channels)),
        running_mean(static_cast<std::size_t>(channels), 0.25f),
        running_var(static_cast<std::size_t>(channels), 1.5f) {}
};

// Spatial sizes off and on the 8-lane accumulators' multiple, and one under it.
class BatchNormRelu : public ::testing::TestWithParam<BatchNormShape> {};

// The fused forms compute the same values in the same order as the composition, so they must agree bit for bit.
TEST_P(BatchNormRelu, FusedBackwardIsTheComposition) {
  const BatchNormShape shape = GetParam();
  const std::size_t count = static_cast<std::size_t>(shape.batch) * shape.channels * shape.spatial;
  const auto input = testing::seeded_uniform(count, 11, -2.0f, 2.0f);
  const auto gamma = testing::seeded_uniform(static_cast<std::size_t>(shape.channels), 12, 0.5f, 1.5f);
  const auto beta = testing::seeded_uniform(static_cast<std::size_t>(shape.channels), 13, -0.5f, 0.5f);
  const auto grad_output = testing::seeded_uniform(count, 14, -1.0f, 1.0f);
  Statistics statistics(shape.channels);
  std::vector<float> relu_output(count);
  batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), kEps, 0.1f,
                               statistics.running_mean.data(), statistics.running_var.data(), relu_output.data(),
                               statistics.mean.data(), statistics.inverse_std.data(), true);
  const auto channels = static_cast<std::size_t>(shape.channels);
  std::vector<float> masked(count), expected(count), expected_gamma(channels), expected_beta(channels);
  relu_backward_cpu(grad_output.data(), relu_output.data(), static_cast<std::int64_t>(count), masked.data());
  batch_norm_backward_cpu(masked.data(), input.data(), shape, gamma.data(), statistics.mean.data(),
                          statistics.inverse_std.data(), expected.data(), expected_gamma.data(), expected_beta.data());
  std::vector<float> fused(count), fused_gamma(channels), fused_beta(channels);
  batch_norm_relu_backward_cpu(grad_output.data(), relu_output.data(), input.data(), shape, gamma.data(),
                               statistics.mean.data(), statistics.inverse_std.data(), fused.data(), fused_gamma.data(),
                               fused_beta.data());
  EXPECT_EQ(fused, expected);
  EXPECT_EQ(fused_gamma, expected_gamma);
  EXPECT_EQ(fused_beta, expected_beta);
  // In place (grad_input aliasing grad_output), as ResNet's backward may run it.
  std::vector<float> in_place = grad_output;
  batch_norm_relu_backward_cpu(in_place.data(), relu_output.data(), input.data(), shape, gamma.data(),
                               statistics.mean.data(), statistics.inverse_std.data(), in_place.data(),
                               fused_gamma.data(), fused_beta.data());
  EXPECT_EQ(in_place, expected);
}

TEST_P(BatchNormRelu, FusedForwardsAreTheComposition) {
  const BatchNormShape shape = GetParam();
  const std::size_t count = static_cast<std::size_t>(shape.batch) * shape.channels * shape.spatial;
  const auto input = testing::seeded_uniform(count, 21, -2.0f, 2.0f);
  const auto gamma = testing::seeded_uniform(static_cast<std::size_t>(shape.channels), 22, 0.5f, 1.5f);
  const auto beta = testing::seeded_uniform(static_cast<std::size_t>(shape.channels), 23, -0.5f, 0.5f);
  for (const bool train : {true, false}) {
    Statistics plain_statistics(shape.channels), fused_statistics(shape.channels);
    std::vector<float> plain(count), fused(count);
    if (train) {
      batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), kEps, 0.1f,
                                   plain_statistics.running_mean.data(), plain_statistics.running_var.data(),
                                   plain.data(), plain_statistics.mean.data(), plain_statistics.inverse_std.data());
      batch_norm_forward_train_cpu(input.data(), shape, gamma.data(), beta.data(), kEps, 0.1f,
                                   fused_statistics.running_mean.data(), fused_statistics.running_var.data(),
                                   fused.data(), fused_statistics.mean.data(), fused_statistics.inverse_std.data(),
                                   true);
    } else {
      batch_norm_forward_eval_cpu(input.data(), shape, gamma.data(), beta.data(), plain_statistics.running_mean.data(),
                                  plain_statistics.running_var.data(), kEps, plain.data());
      batch_norm_forward_eval_cpu(input.data(), shape, gamma.data(), beta.data(), fused_statistics.running_mean.data(),
                                  fused_statistics.running_var.data(), kEps, fused.data(), true);
    }
    relu_forward_cpu(plain.data(), static_cast<std::int64_t>(count), plain.data());
    EXPECT_EQ(fused, plain) << (train ? "train" : "eval");
    EXPECT_EQ(fused_statistics.running_mean, plain_statistics.running_mean);
    EXPECT_EQ(fused_statistics.running_var, plain_statistics.running_var);
  }
}

INSTANTIATE_TEST_SUITE_P(Shapes, BatchNormRelu,
                         ::testing::Values(BatchNormShape{3, 4, 13}, BatchNormShape{2, 3, 16},
                                           BatchNormShape{5, 2, 3}));

}  // namespace
}  // namespace genint
