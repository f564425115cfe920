// Weighted cross-entropy on CUDA against its CPU twin with ImageNet's 1000 classes and one row near 1000,
// and the NaN it reports for an out-of-range device label; skips without a GPU.
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

}  // namespace
}  // namespace genint
