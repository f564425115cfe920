// Weighted cross-entropy against the PyTorch 1.13 golden: sum(w · F.cross_entropy(reduction='none')) and its
// gradient, with one row of logits near 1000 and the weights λ_s/n_s of two sources.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/cross_entropy.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(CrossEntropyGolden, LossPerSampleLossesAndGradientMatchTorch) {
  const auto golden = testing::open_nn_golden("cross_entropy");
  const int batch = golden.dimension("logits", 0);
  const int classes = golden.dimension("logits", 1);
  const auto logits = golden.read<float>("logits");
  const auto labels = golden.read<std::int32_t>("labels");
  const auto weights = golden.read<float>("weights");
  std::vector<float> sample_losses(static_cast<std::size_t>(batch)), grad_logits(logits.size());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, sample_losses.data(), &loss);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, grad_logits.data());
  // Losses up to ~20 from a float32 log-sum-exp in torch (double here): a few ulps of the result.
  testing::expect_all_close(sample_losses, golden.read<float>("sample_losses"), 1e-5, 1e-6, "sample_losses");
  testing::expect_all_close({loss}, golden.read<float>("loss"), 1e-5, 1e-6, "loss");
  // Probabilities in [0, 1] times weights ≤ 0.2: torch's float32 softmax is good to ~1e-7 absolute.
  testing::expect_all_close(grad_logits, golden.read<float>("grad_logits"), 1e-7, 1e-5, "grad_logits");
}

}  // namespace
}  // namespace genint
