// Weighted softmax cross-entropy on the CPU: finite-difference check of the backward, the Eq. 1 weighting,
// stability for huge logits and the label check naming the bad label.
#include "nn/ops/cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

float loss_of(const std::vector<float>& logits, const std::vector<std::int32_t>& labels,
              const std::vector<float>& weights, int classes) {
  const auto batch = static_cast<int>(labels.size());
  std::vector<float> sample_losses(labels.size());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, sample_losses.data(), &loss);
  return loss;
}

TEST(CrossEntropy, BackwardMatchesFiniteDifferences) {
  const int batch = 4, classes = 5;
  const auto logits = testing::seeded_uniform(20, 13, -3.0f, 3.0f);
  const std::vector<std::int32_t> labels{0, 4, 2, 2};
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.125f};
  std::vector<float> grad_logits(20, -1000.0f);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, grad_logits.data());
  // Smooth loss of size ~2: step 1e-2 gives rounding ~2e-5 and O(step²) truncation ~1e-5.
  testing::expect_gradient_matches_finite_differences(
      logits, grad_logits,
      [&](const std::vector<float>& x) { return static_cast<double>(loss_of(x, labels, weights, classes)); }, 1e-2f,
      2e-4, 1e-3, "grad_logits");
}

TEST(CrossEntropy, PerSampleWeightsGiveEquationOne) {
  // Two natural samples (λ 1) and one generated (λ 0.05): Σ_s λ_s·mean CE_s = Σ_i (λ_s/n_s)·CE_i.
  const int classes = 3;
  const std::vector<float> logits{1, 2, 3, 0, 0, 0, 5, -1, 2};
  const std::vector<std::int32_t> labels{2, 1, 0};
  std::vector<float> sample_losses(3);
  float loss = 0.0f;
  const std::vector<float> weights{0.5f, 0.5f, 0.05f};
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), 3, classes, sample_losses.data(), &loss);
  const double ce0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3.0;
  const double ce1 = std::log(3.0);
  const double ce2 = std::log(std::exp(5.0) + std::exp(-1.0) + std::exp(2.0)) - 5.0;
  EXPECT_NEAR(sample_losses[1], ce1, 1e-6);  // unweighted per-sample losses: float32 rounding of ~1
  EXPECT_NEAR(loss, 1.0 * (ce0 + ce1) / 2 + 0.05 * ce2, 1e-6);
}

TEST(CrossEntropy, HugeLogitsStayFinite) {
  const std::vector<float> logits{1000.0f, 999.0f, -1000.0f};
  const std::vector<std::int32_t> labels{1};
  const std::vector<float> weights{1.0f};
  const float loss = loss_of(logits, labels, weights, 3);
  EXPECT_NEAR(loss, std::log1p(std::exp(1.0)), 1e-5);  // log(e¹ + e⁰) − 0 about the maximum; float32 of ~1.3
  std::vector<float> grad(3);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), 1, 3, grad.data());
  for (const float value : grad) EXPECT_TRUE(std::isfinite(value));
}

TEST(CrossEntropy, RejectsAnOutOfRangeLabelByName) {
  const std::vector<float> logits(6, 0.0f);
  const std::vector<std::int32_t> labels{1, 3};
  const std::vector<float> weights{1.0f, 1.0f};
  try {
    loss_of(logits, labels, weights, 3);
    FAIL() << "label 3 of 3 classes was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("label 3 of sample 1"), std::string::npos) << error.what();
  }
  const std::vector<std::int32_t> negative{-1, 0};
  std::vector<float> grad(6);
  EXPECT_THROW(cross_entropy_backward_cpu(logits.data(), negative.data(), weights.data(), 2, 3, grad.data()), Error);
}

}  // namespace
}  // namespace genint
