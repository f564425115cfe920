// CUDA weighted cross-entropy: one block per sample (row max, then Σ exp in double about it), then one thread
// sums w_i·CE_i in sample order — the CPU twin's order, so the total is deterministic and matches it.
#include <cmath>
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/block_reduce.cuh"
#include "nn/ops/cross_entropy.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

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

__global__ void sample_loss_kernel(const float* logits, const std::int32_t* labels, int classes, float* sample_losses) {
  const float* row = logits + static_cast<std::int64_t>(blockIdx.x) * classes;
  const double log_normalizer = row_log_sum_exp(row, classes);
  if (threadIdx.x != 0) return;
  const std::int32_t label = labels[blockIdx.x];
  sample_losses[blockIdx.x] =
      label >= 0 && label < classes ? static_cast<float>(log_normalizer - row[label]) : NAN;  // see the header
}

__global__ void weighted_total_kernel(const float* sample_losses, const float* weights, int batch, float* loss) {
  double total = 0.0;
  for (int sample = 0; sample < batch; ++sample) total += static_cast<double>(weights[sample]) * sample_losses[sample];
  *loss = static_cast<float>(total);
}

__global__ void gradient_kernel(const float* logits, const std::int32_t* labels, const float* weights, int classes,
                                float* grad_logits) {
  const std::int64_t offset = static_cast<std::int64_t>(blockIdx.x) * classes;
  const double log_normalizer = row_log_sum_exp(logits + offset, classes);
  const std::int32_t label = labels[blockIdx.x];
  const bool label_valid = label >= 0 && label < classes;
  const float weight = weights[blockIdx.x];
  for (int column = threadIdx.x; column < classes; column += kThreads) {
    const double probability = exp(static_cast<double>(logits[offset + column]) - log_normalizer);
    const double target = column == label ? 1.0 : 0.0;
    grad_logits[offset + column] = label_valid ? static_cast<float>(weight * (probability - target)) : NAN;
  }
}

void check_shape(const char* op, int batch, int classes) {
  GENINT_CHECK(batch >= 0 && classes > 0, std::string(op) + ": batch must be ≥ 0 and classes > 0");
}

}  // namespace

void cross_entropy_forward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                int classes, float* sample_losses, float* loss, void* stream) {
  check_shape("cross_entropy_forward_cuda", batch, classes);
  auto* cuda_stream = static_cast<cudaStream_t>(stream);
  if (batch > 0) {
    sample_loss_kernel<<<batch, kThreads, 0, cuda_stream>>>(logits, labels, classes, sample_losses);
    GENINT_CUDA_CHECK_LAUNCH();
  }
  weighted_total_kernel<<<1, 1, 0, cuda_stream>>>(sample_losses, weights, batch, loss);
  GENINT_CUDA_CHECK_LAUNCH();
}

void cross_entropy_backward_cuda(const float* logits, const std::int32_t* labels, const float* weights, int batch,
                                 int classes, float* grad_logits, void* stream) {
  check_shape("cross_entropy_backward_cuda", batch, classes);
  if (batch == 0) return;
  gradient_kernel<<<batch, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(logits, labels, weights, classes,
                                                                             grad_logits);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
