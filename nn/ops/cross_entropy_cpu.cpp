// CPU twin of weighted softmax cross-entropy (with Mixup's optional second target), summed in double about the row
// maximum: the truth the CUDA kernels and goldens are held to. The dispatch points (by OpTarget) come last.
#include <algorithm>
#include <cmath>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/cross_entropy.h"

namespace genint {
namespace {

// log Σ_j exp(row[j]), about the row maximum.
double log_sum_exp(const float* row, int classes) {
  const float maximum = *std::max_element(row, row + classes);
  double sum = 0.0;
  for (int column = 0; column < classes; ++column) sum += std::exp(static_cast<double>(row[column] - maximum));
  return static_cast<double>(maximum) + std::log(sum);
}

// The logit the loss subtracts from log-sum-exp: row[y], or with Mixup λ·row[y] + (1 − λ)·row[y′]. In double, so
// λ = 1 gives row[y] exactly (1·x and x + 0·x′ are exact) and the Mixup path then equals the plain one bit for bit.
double target_logit(const float* row, int sample, const std::int32_t* labels, const MixupTargets& mixup) {
  if (!mixup.enabled()) return row[labels[sample]];
  const double lambda = mixup.lambdas[sample];
  return lambda * row[labels[sample]] + (1.0 - lambda) * row[mixup.partner_labels[sample]];
}

// The target distribution's mass on `column`: onehot(y), or λ·onehot(y) + (1 − λ)·onehot(y′) (a sum, so y = y′
// gives λ + (1 − λ) = 1 exactly in double).
double target_mass(int column, int sample, const std::int32_t* labels, const MixupTargets& mixup) {
  if (!mixup.enabled()) return column == labels[sample] ? 1.0 : 0.0;
  const double lambda = mixup.lambdas[sample];
  return (column == labels[sample] ? lambda : 0.0) + (column == mixup.partner_labels[sample] ? 1.0 - lambda : 0.0);
}

void check_inputs(const char* op, const std::int32_t* labels, int batch, int classes, const MixupTargets& mixup) {
  GENINT_CHECK(batch >= 0 && classes > 0, std::string(op) + ": batch must be ≥ 0 and classes > 0 (got " +
                                              std::to_string(batch) + ", " + std::to_string(classes) + ")");
  check_class_labels(labels, batch, classes);
  check_mixup_targets(mixup, batch, classes);
}

}  // namespace

void check_class_labels(const std::int32_t* labels, int batch, int classes, const char* what) {
  for (int sample = 0; sample < batch; ++sample) {
    GENINT_CHECK(labels[sample] >= 0 && labels[sample] < classes,
                 std::string("cross_entropy: ") + what + " " + std::to_string(labels[sample]) + " of sample " +
                     std::to_string(sample) + " is outside [0, " + std::to_string(classes) + ")");
  }
}

void check_mixup_targets(const MixupTargets& mixup, int batch, int classes) {
  GENINT_CHECK((mixup.partner_labels == nullptr) == (mixup.lambdas == nullptr),
               "cross_entropy: Mixup needs both the partner labels and the λ, or neither");
  if (!mixup.enabled()) return;
  check_class_labels(mixup.partner_labels, batch, classes, "mixup partner label");
  for (int sample = 0; sample < batch; ++sample) {
    const float lambda = mixup.lambdas[sample];
    GENINT_CHECK(lambda >= 0.0f && lambda <= 1.0f,  // false for NaN too
                 "cross_entropy: mixup λ " + std::to_string(lambda) + " of sample " + std::to_string(sample) +
                     " is outside [0, 1]");
  }
}

void cross_entropy_forward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                               int classes, float* sample_losses, float* loss, const MixupTargets& mixup) {
  check_inputs("cross_entropy_forward", labels, batch, classes, mixup);
#pragma omp parallel for schedule(static)
  for (int sample = 0; sample < batch; ++sample) {
    const float* row = logits + static_cast<std::int64_t>(sample) * classes;
    sample_losses[sample] = static_cast<float>(log_sum_exp(row, classes) - target_logit(row, sample, labels, mixup));
  }
  double total = 0.0;  // sequential: the same order in every run
  for (int sample = 0; sample < batch; ++sample) total += static_cast<double>(weights[sample]) * sample_losses[sample];
  *loss = static_cast<float>(total);
}

void cross_entropy_backward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* grad_logits, const MixupTargets& mixup) {
  check_inputs("cross_entropy_backward", labels, batch, classes, mixup);
#pragma omp parallel for schedule(static)
  for (int sample = 0; sample < batch; ++sample) {
    const float* row = logits + static_cast<std::int64_t>(sample) * classes;
    float* grad_row = grad_logits + static_cast<std::int64_t>(sample) * classes;
    const double log_normalizer = log_sum_exp(row, classes);
    for (int column = 0; column < classes; ++column) {
      const double probability = std::exp(static_cast<double>(row[column]) - log_normalizer);
      const double target = target_mass(column, sample, labels, mixup);
      grad_row[column] = static_cast<float>(weights[sample] * (probability - target));
    }
  }
}

void cross_entropy_forward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                           const float* weights, int batch, int classes, float* sample_losses, float* loss,
                           const MixupTargets& mixup) {
  if (target.on_cpu())
    return cross_entropy_forward_cpu(logits, labels, weights, batch, classes, sample_losses, loss, mixup);
  GENINT_CUDA_CALL(cross_entropy_forward_cuda, logits, labels, weights, batch, classes, sample_losses, loss,
                   target.stream, mixup);
}

void cross_entropy_backward(const OpTarget& target, const float* logits, const std::int32_t* labels,
                            const float* weights, int batch, int classes, float* grad_logits,
                            const MixupTargets& mixup) {
  if (target.on_cpu()) return cross_entropy_backward_cpu(logits, labels, weights, batch, classes, grad_logits, mixup);
  GENINT_CUDA_CALL(cross_entropy_backward_cuda, logits, labels, weights, batch, classes, grad_logits, target.stream,
                   mixup);
}

}  // namespace genint
