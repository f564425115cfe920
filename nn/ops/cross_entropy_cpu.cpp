// CPU twin of weighted softmax cross-entropy: rows split across OpenMP threads, exponentials summed in double
// about the row maximum. The truth the CUDA kernels and the PyTorch goldens are compared against.
#include <algorithm>
#include <cmath>
#include <string>

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

void check_shape(const char* op, int batch, int classes) {
  GENINT_CHECK(batch >= 0 && classes > 0, std::string(op) + ": batch must be ≥ 0 and classes > 0 (got " +
                                              std::to_string(batch) + ", " + std::to_string(classes) + ")");
}

}  // namespace

void check_class_labels(const std::int32_t* labels, int batch, int classes) {
  for (int sample = 0; sample < batch; ++sample) {
    GENINT_CHECK(labels[sample] >= 0 && labels[sample] < classes,
                 "cross_entropy: label " + std::to_string(labels[sample]) + " of sample " + std::to_string(sample) +
                     " is outside [0, " + std::to_string(classes) + ")");
  }
}

void cross_entropy_forward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                               int classes, float* sample_losses, float* loss) {
  check_shape("cross_entropy_forward", batch, classes);
  check_class_labels(labels, batch, classes);
#pragma omp parallel for schedule(static)
  for (int sample = 0; sample < batch; ++sample) {
    const float* row = logits + static_cast<std::int64_t>(sample) * classes;
    sample_losses[sample] = static_cast<float>(log_sum_exp(row, classes) - row[labels[sample]]);
  }
  double total = 0.0;  // sequential: the same order in every run
  for (int sample = 0; sample < batch; ++sample) total += static_cast<double>(weights[sample]) * sample_losses[sample];
  *loss = static_cast<float>(total);
}

void cross_entropy_backward_cpu(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* grad_logits) {
  check_shape("cross_entropy_backward", batch, classes);
  check_class_labels(labels, batch, classes);
#pragma omp parallel for schedule(static)
  for (int sample = 0; sample < batch; ++sample) {
    const float* row = logits + static_cast<std::int64_t>(sample) * classes;
    float* grad_row = grad_logits + static_cast<std::int64_t>(sample) * classes;
    const double log_normalizer = log_sum_exp(row, classes);
    for (int column = 0; column < classes; ++column) {
      const double probability = std::exp(static_cast<double>(row[column]) - log_normalizer);
      const double target = column == labels[sample] ? 1.0 : 0.0;
      grad_row[column] = static_cast<float>(weights[sample] * (probability - target));
    }
  }
}

}  // namespace genint
