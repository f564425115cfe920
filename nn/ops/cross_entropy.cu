// CUDA weighted cross-entropy (with Mixup's optional second target): one block per sample (row max, then Σ exp in
// double about it), then one thread sums w_i·CE_i in sample order — the CPU twin's order, so totals are deterministic.
#include <cmath>
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/block_reduce.cuh"
#include "nn/ops/cross_entropy.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

// Mixup's device arrays as the kernels take them: partner_labels null = no Mixup (MixupTargets is host code).
struct DeviceMixup {
  const std::int32_t* partner_labels;
  const float* lambdas;
};

// log Σ_j exp(row[j]) about the row maximum, known to every thread of the block.
__device__ double row_log_sum_exp(const float* row, int classes) {
  __shared__ float max_scratch[kThreads];
  __shared__ double sum_scratch[kThreads];
  float maximum = -INFINITY;
  for (int column = threadIdx.x; column < classes; column += kThreads) maximum = fmaxf(maximum, row[column]);
  maximum = block_reduce<kThreads>(maximum, max_scratch, [](float a, float b) { return fmaxf(a, b); });
  double sum = 0.0;
  for (int column = threadIdx.x; column < classes; column += kThreads)
    sum += exp(static_cast<double>(row[column] - maximum));
  sum = block_reduce<kThreads>(sum, sum_scratch, [](double a, double b) { return a + b; });
  return static_cast<double>(maximum) + log(sum);
}

__device__ bool label_in_range(std::int32_t label, int classes) {
  return label >= 0 && label < classes;
}

// Whether this block's sample has valid labels (the partner's too with Mixup); see the header for why not a throw.
__device__ bool sample_labels_valid(const std::int32_t* labels, DeviceMixup mixup, int classes) {
  return label_in_range(labels[blockIdx.x], classes) &&
         (mixup.partner_labels == nullptr || label_in_range(mixup.partner_labels[blockIdx.x], classes));
}

// The CPU twin's target_logit: row[y], or λ·row[y] + (1 − λ)·row[y′] in double (λ = 1 gives row[y] exactly). The
// _rn intrinsics keep nvcc from fusing a product into an FMA, so the roundings are the CPU's.
__device__ double target_logit(const float* row, const std::int32_t* labels, DeviceMixup mixup) {
  const std::int32_t label = labels[blockIdx.x];
  if (mixup.partner_labels == nullptr) return row[label];
  const double lambda = mixup.lambdas[blockIdx.x];
  const double own = __dmul_rn(lambda, static_cast<double>(row[label]));
  const double partner = __dmul_rn(1.0 - lambda, static_cast<double>(row[mixup.partner_labels[blockIdx.x]]));
  return __dadd_rn(own, partner);
}

// The CPU twin's target_mass: onehot(y), or λ·onehot(y) + (1 − λ)·onehot(y′).
__device__ double target_mass(int column, std::int32_t label, DeviceMixup mixup) {
  if (mixup.partner_labels == nullptr) return column == label ? 1.0 : 0.0;
  const double lambda = mixup.lambdas[blockIdx.x];
  return (column == label ? lambda : 0.0) + (column == mixup.partner_labels[blockIdx.x] ? 1.0 - lambda : 0.0);
}

__global__ void sample_loss_kernel(const float* logits, const std::int32_t* labels, DeviceMixup mixup, int classes,
                                   float* sample_losses) {
  const float* row = logits + static_cast<std::int64_t>(blockIdx.x) * classes;
  const double log_normalizer = row_log_sum_exp(row, classes);
  if (threadIdx.x != 0) return;
  sample_losses[blockIdx.x] = sample_labels_valid(labels, mixup, classes)
                                  ? static_cast<float>(log_normalizer - target_logit(row, labels, mixup))
                                  : NAN;  // see the header
}

__global__ void weighted_total_kernel(const float* sample_losses, const float* weights, int batch, float* loss) {
  double total = 0.0;
  for (int sample = 0; sample < batch; ++sample) total += static_cast<double>(weights[sample]) * sample_losses[sample];
  *loss = static_cast<float>(total);
}

__global__ void gradient_kernel(const float* logits, const std::int32_t* labels, DeviceMixup mixup,
                                const float* weights, int classes, float* grad_logits) {
  const std::int64_t offset = static_cast<std::int64_t>(blockIdx.x) * classes;
  const double log_normalizer = row_log_sum_exp(logits + offset, classes);
  const std::int32_t label = labels[blockIdx.x];
  const bool labels_valid = sample_labels_valid(labels, mixup, classes);
  const float weight = weights[blockIdx.x];
  for (int column = threadIdx.x; column < classes; column += kThreads) {
    const double probability = exp(static_cast<double>(logits[offset + column]) - log_normalizer);
    const double target = target_mass(column, label, mixup);
    grad_logits[offset + column] = labels_valid ? static_cast<float>(weight * (probability - target)) : NAN;
  }
}

void check_shape(const char* op, int batch, int classes, const MixupTargets& mixup) {
  GENINT_CHECK(batch >= 0 && classes > 0, std::string(op) + ": batch must be ≥ 0 and classes > 0");
  GENINT_CHECK((mixup.partner_labels == nullptr) == (mixup.lambdas == nullptr),
               std::string(op) + ": Mixup needs both the partner labels and the λ, or neither");
}

}  // namespace

void cross_entropy_forward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* sample_losses, float* loss, void* stream,
                                const MixupTargets& mixup) {
  check_shape("cross_entropy_forward_cuda", batch, classes, mixup);
  auto* cuda_stream = static_cast<cudaStream_t>(stream);
  if (batch > 0) {
    sample_loss_kernel<<<batch, kThreads, 0, cuda_stream>>>(
        logits, labels, DeviceMixup{mixup.partner_labels, mixup.lambdas}, classes, sample_losses);
    GENINT_CUDA_CHECK_LAUNCH();
  }
  weighted_total_kernel<<<1, 1, 0, cuda_stream>>>(sample_losses, weights, batch, loss);
  GENINT_CUDA_CHECK_LAUNCH();
}

void cross_entropy_backward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                 int classes, float* grad_logits, void* stream, const MixupTargets& mixup) {
  check_shape("cross_entropy_backward_cuda", batch, classes, mixup);
  if (batch == 0) return;
  gradient_kernel<<<batch, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      logits, labels, DeviceMixup{mixup.partner_labels, mixup.lambdas}, weights, classes, grad_logits);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
