// Weighted cross-entropy on CUDA against its CPU twin with ImageNet's 1000 classes and one row near 1000, without and
// with Mixup's second target, and the NaN it reports for an out-of-range device label; skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/cross_entropy.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(CrossEntropyCuda, LossesAndGradientMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const int batch = 9, classes = 1000;
  auto logits = testing::seeded_uniform(static_cast<std::size_t>(batch) * classes, 41, -8.0f, 8.0f);
  for (int column = 0; column < classes; ++column) logits[4 * classes + column] += 1000.0f;
  std::vector<std::int32_t> labels{0, 999, 5, 17, 300, 300, 1, 998, 42};
  const auto weights = testing::seeded_uniform(9, 42, 0.0f, 0.2f);
  std::vector<float> sample_losses(9), grad_logits(logits.size());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, sample_losses.data(), &loss);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, grad_logits.data());
  const auto device_logits = to_device(logits), device_labels = to_device(labels), device_weights = to_device(weights);
  const auto device_sample_losses = to_device(sample_losses), device_loss = to_device(std::vector<float>{0.0f});
  const auto device_grad = to_device(grad_logits);
  cross_entropy_forward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                        device_data<float>(device_weights), batch, classes, device_data<float>(device_sample_losses),
                        device_data<float>(device_loss));
  cross_entropy_backward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                         device_data<float>(device_weights), batch, classes, device_data<float>(device_grad));
  // Double exp/log on both sides, summed in another order, rounded to float once: ≤ 1 ulp.
  testing::expect_all_close(from_device<float>(device_sample_losses, 9), sample_losses, 1e-6, 1e-6, "sample_losses");
  testing::expect_all_close(from_device<float>(device_loss, 1), {loss}, 1e-6, 1e-6, "loss");
  testing::expect_all_close(from_device<float>(device_grad, logits.size()), grad_logits, 1e-9, 1e-6, "grad_logits");

  labels[2] = classes;  // out of range: the device reports NaN instead of reading past the row
  const auto device_bad_labels = to_device(labels);
  cross_entropy_forward(OpTarget::cuda(), device_data<float>(device_logits),
                        device_data<std::int32_t>(device_bad_labels), device_data<float>(device_weights), batch,
                        classes, device_data<float>(device_sample_losses), device_data<float>(device_loss));
  EXPECT_TRUE(std::isnan(from_device<float>(device_loss, 1)[0]));
  EXPECT_TRUE(std::isnan(from_device<float>(device_sample_losses, 9)[2]));
}

TEST(CrossEntropyCuda, MixupLossesAndGradientMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const int batch = 9, classes = 1000;
  auto logits = testing::seeded_uniform(static_cast<std::size_t>(batch) * classes, 51, -8.0f, 8.0f);
  for (int column = 0; column < classes; ++column) logits[4 * classes + column] += 1000.0f;
  const std::vector<std::int32_t> labels{0, 999, 5, 17, 300, 300, 1, 998, 42};
  std::vector<std::int32_t> partner_labels{999, 0, 5, 300, 17, 301, 1, 2, 42};  // some the same class, some not
  // λ = 1 (an unmixed sample), 0, and values on a 1/65536 grid (finer than the loader's 1/256).
  const std::vector<float> lambdas{1.0f, 0.0f, 0.25f, 0.5f, 0.5f, 40000.0f / 65536, 0.75f, 123.0f / 65536, 0.9375f};
  const auto weights = testing::seeded_uniform(9, 52, 0.0f, 0.2f);
  const MixupTargets host_mixup{partner_labels.data(), lambdas.data()};
  std::vector<float> sample_losses(9), grad_logits(logits.size());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, sample_losses.data(), &loss,
                            host_mixup);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, grad_logits.data(),
                             host_mixup);
  const auto device_logits = to_device(logits), device_labels = to_device(labels), device_weights = to_device(weights);
  const auto device_partners = to_device(partner_labels), device_lambdas = to_device(lambdas);
  const auto device_sample_losses = to_device(sample_losses), device_loss = to_device(std::vector<float>{0.0f});
  const auto device_grad = to_device(grad_logits);
  const MixupTargets mixup{device_data<std::int32_t>(device_partners), device_data<float>(device_lambdas)};
  cross_entropy_forward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                        device_data<float>(device_weights), batch, classes, device_data<float>(device_sample_losses),
                        device_data<float>(device_loss), mixup);
  cross_entropy_backward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                         device_data<float>(device_weights), batch, classes, device_data<float>(device_grad), mixup);
  // As the plain test: double exp/log on both sides summed in another order, one float rounding: ≤ 1 ulp.
  testing::expect_all_close(from_device<float>(device_sample_losses, 9), sample_losses, 1e-6, 1e-6, "sample_losses");
  testing::expect_all_close(from_device<float>(device_loss, 1), {loss}, 1e-6, 1e-6, "loss");
  testing::expect_all_close(from_device<float>(device_grad, logits.size()), grad_logits, 1e-9, 1e-6, "grad_logits");

  partner_labels[3] = -1;  // out of range: NaN for that sample, its gradient row and the total
  const auto device_bad_partners = to_device(partner_labels);
  const MixupTargets bad_mixup{device_data<std::int32_t>(device_bad_partners), device_data<float>(device_lambdas)};
  cross_entropy_forward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                        device_data<float>(device_weights), batch, classes, device_data<float>(device_sample_losses),
                        device_data<float>(device_loss), bad_mixup);
  cross_entropy_backward(OpTarget::cuda(), device_data<float>(device_logits), device_data<std::int32_t>(device_labels),
                         device_data<float>(device_weights), batch, classes, device_data<float>(device_grad),
                         bad_mixup);
  EXPECT_TRUE(std::isnan(from_device<float>(device_loss, 1)[0]));
  const std::vector<float> bad_losses = from_device<float>(device_sample_losses, 9);
  EXPECT_TRUE(std::isnan(bad_losses[3]));
  EXPECT_FALSE(std::isnan(bad_losses[2]));
  EXPECT_TRUE(std::isnan(from_device<float>(device_grad, logits.size())[3 * classes + 7]));
}

}  // namespace
}  // namespace genint
