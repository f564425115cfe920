// Weighted softmax cross-entropy on the CPU: finite-difference check of the backward, the Eq. 1 weighting,
// stability for huge logits, the label checks, and Mixup's second target (by hand, limits, finite differences).
#include "nn/ops/cross_entropy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/op_test_support.h"

namespace genint {
namespace {

float loss_of(const std::vector<float>& logits, const std::vector<std::int32_t>& labels,
              const std::vector<float>& weights, int classes, const MixupTargets& mixup = {}) {
  const auto batch = static_cast<int>(labels.size());
  std::vector<float> sample_losses(labels.size());
  float loss = 0.0f;
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, sample_losses.data(), &loss,
                            mixup);
  return loss;
}

// Everything one forward and backward produce, for bit-for-bit comparisons.
struct CrossEntropyResult {
  std::vector<float> sample_losses, grad_logits;
  float loss = 0.0f;
};

CrossEntropyResult run_cross_entropy(const std::vector<float>& logits, const std::vector<std::int32_t>& labels,
                                     const std::vector<float>& weights, int classes, const MixupTargets& mixup = {}) {
  const auto batch = static_cast<int>(labels.size());
  CrossEntropyResult result{std::vector<float>(labels.size()), std::vector<float>(logits.size()), 0.0f};
  cross_entropy_forward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, result.sample_losses.data(),
                            &result.loss, mixup);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, result.grad_logits.data(),
                             mixup);
  return result;
}

template <typename T>
bool same_bits(const std::vector<T>& left, const std::vector<T>& right) {
  return left.size() == right.size() && std::memcmp(left.data(), right.data(), left.size() * sizeof(T)) == 0;
}

void expect_bit_identical(const CrossEntropyResult& expected, const CrossEntropyResult& actual, const char* what) {
  EXPECT_TRUE(same_bits(expected.sample_losses, actual.sample_losses)) << what << ": sample losses differ";
  EXPECT_TRUE(same_bits(expected.grad_logits, actual.grad_logits)) << what << ": gradients differ";
  EXPECT_TRUE(same_bits(std::vector<float>{expected.loss}, std::vector<float>{actual.loss})) << what << ": loss";
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

TEST(CrossEntropyMixup, LossAndGradientMatchAHandComputation) {
  // 2 samples, 3 classes, λ = 0.25: sample 0 is 1/4 class 0 and 3/4 class 2, sample 1 is 1/4 class 2, 3/4 class 1.
  const int classes = 3;
  const std::vector<float> logits{1, 2, 3, 0.5f, -1, 2};
  const std::vector<std::int32_t> labels{0, 2}, partner_labels{2, 1};
  const std::vector<float> lambdas{0.25f, 0.25f}, weights{0.5f, 0.125f};
  const MixupTargets mixup{partner_labels.data(), lambdas.data()};
  const CrossEntropyResult result = run_cross_entropy(logits, labels, weights, classes, mixup);
  const double normalizer0 = std::exp(1.0) + std::exp(2.0) + std::exp(3.0);
  const double normalizer1 = std::exp(0.5) + std::exp(-1.0) + std::exp(2.0);
  const double ce0 = std::log(normalizer0) - 0.25 * 1.0 - 0.75 * 3.0;
  const double ce1 = std::log(normalizer1) - 0.25 * 2.0 - 0.75 * -1.0;
  // float32 results of values ~1 computed in double: a few float ulps.
  EXPECT_NEAR(result.sample_losses[0], ce0, 1e-6);
  EXPECT_NEAR(result.sample_losses[1], ce1, 1e-6);
  EXPECT_NEAR(result.loss, 0.5 * ce0 + 0.125 * ce1, 1e-6);
  const std::vector<double> expected_grad{
      0.5 * (std::exp(1.0) / normalizer0 - 0.25),    0.5 * (std::exp(2.0) / normalizer0),
      0.5 * (std::exp(3.0) / normalizer0 - 0.75),    0.125 * (std::exp(0.5) / normalizer1),
      0.125 * (std::exp(-1.0) / normalizer1 - 0.75), 0.125 * (std::exp(2.0) / normalizer1 - 0.25)};
  for (std::size_t index = 0; index < expected_grad.size(); ++index)
    EXPECT_NEAR(result.grad_logits[index], expected_grad[index], 1e-7) << index;  // float32 of values < 1
}

TEST(CrossEntropyMixup, LambdaOneIsThePlainLossAndLambdaZeroThePartnersBitForBit) {
  const int batch = 6, classes = 7;
  const auto logits = testing::seeded_uniform(static_cast<std::size_t>(batch) * classes, 17, -4.0f, 4.0f);
  const std::vector<std::int32_t> labels{0, 6, 3, 3, 1, 5}, partner_labels{4, 2, 3, 0, 6, 5};
  const auto weights = testing::seeded_uniform(batch, 18, 0.0f, 0.5f);
  const std::vector<float> ones(batch, 1.0f), zeros(batch, 0.0f);
  expect_bit_identical(run_cross_entropy(logits, labels, weights, classes),
                       run_cross_entropy(logits, labels, weights, classes, {partner_labels.data(), ones.data()}),
                       "λ = 1");
  expect_bit_identical(run_cross_entropy(logits, partner_labels, weights, classes),
                       run_cross_entropy(logits, labels, weights, classes, {partner_labels.data(), zeros.data()}),
                       "λ = 0");
  // A partner of the same class: λ + (1 − λ) = 1 exactly, whatever λ.
  const std::vector<float> thirds(batch, 1.0f / 3.0f);
  expect_bit_identical(run_cross_entropy(logits, labels, weights, classes),
                       run_cross_entropy(logits, labels, weights, classes, {labels.data(), thirds.data()}),
                       "same-class partner");
}

TEST(CrossEntropyMixup, BackwardMatchesFiniteDifferences) {
  const int batch = 4, classes = 5;
  const auto logits = testing::seeded_uniform(20, 23, -3.0f, 3.0f);
  const std::vector<std::int32_t> labels{0, 4, 2, 2}, partner_labels{3, 4, 1, 0};
  const std::vector<float> lambdas{0.25f, 0.6f, 0.9f, 0.0390625f};
  const std::vector<float> weights{0.5f, 0.25f, 1.0f, 0.125f};
  const MixupTargets mixup{partner_labels.data(), lambdas.data()};
  std::vector<float> grad_logits(20, -1000.0f);
  cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), batch, classes, grad_logits.data(), mixup);
  // As the plain check: loss ~2, step 1e-2 gives rounding ~2e-5 and O(step²) truncation ~1e-5.
  testing::expect_gradient_matches_finite_differences(
      logits, grad_logits,
      [&](const std::vector<float>& x) { return static_cast<double>(loss_of(x, labels, weights, classes, mixup)); },
      1e-2f, 2e-4, 1e-3, "mixup grad_logits");
}

TEST(CrossEntropyMixup, RejectsBadPartnerLabelsAndLambdasByName) {
  const std::vector<float> logits(6, 0.0f);
  const std::vector<std::int32_t> labels{1, 2};
  const std::vector<float> weights{1.0f, 1.0f}, lambdas{0.5f, 0.5f};
  const std::vector<std::int32_t> bad_partners{0, 3};
  try {
    loss_of(logits, labels, weights, 3, {bad_partners.data(), lambdas.data()});
    FAIL() << "partner label 3 of 3 classes was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("mixup partner label 3 of sample 1"), std::string::npos) << error.what();
  }
  const std::vector<std::int32_t> partners{0, 1};
  const std::vector<float> bad_lambdas{1.5f, 0.5f}, nan_lambdas{0.5f, std::nanf("")};
  std::vector<float> grad(6);
  EXPECT_THROW(loss_of(logits, labels, weights, 3, {partners.data(), bad_lambdas.data()}), Error);
  EXPECT_THROW(cross_entropy_backward_cpu(logits.data(), labels.data(), weights.data(), 2, 3, grad.data(),
                                          {partners.data(), nan_lambdas.data()}),
               Error);
  EXPECT_THROW(loss_of(logits, labels, weights, 3, {partners.data(), nullptr}), Error);  // half a Mixup
}

}  // namespace
}  // namespace genint
