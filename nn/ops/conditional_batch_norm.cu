// CUDA conditional batch norm (BigGAN eval forward): one thread per value, per-channel statistics and
// per-sample gain/bias, in the CPU twin's operation order (nvcc may fuse the last multiply-add: ≤ 1 ulp).
#include "nn/core/cuda_check.h"
#include "nn/ops/conditional_batch_norm.h"

namespace genint {
namespace {

__global__ void conditional_batch_norm_kernel(const float* input, ConditionalBatchNormShape shape, const float* mean,
                                              const float* var, const float* gain, const float* bias, float eps,
                                              float* output, std::int64_t total) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const std::int64_t plane = index / shape.spatial;
  const auto channel = static_cast<int>(plane % shape.channels);
  output[index] = (input[index] - mean[channel]) / sqrtf(var[channel] + eps) * gain[plane] + bias[plane];
}

}  // namespace

void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                         const float* var, const float* gain, const float* bias, float eps,
                                         float* output, void* stream) {
  check_conditional_batch_norm_shape(shape, eps);
  const std::int64_t total = static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial;
  if (total == 0) return;
  constexpr int threads = 256;
  const auto blocks = static_cast<unsigned>((total + threads - 1) / threads);
  conditional_batch_norm_kernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(
      input, shape, mean, var, gain, bias, eps, output, total);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
