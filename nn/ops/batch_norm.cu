// CUDA batch norm: one block per channel reduces its statistics in double (fixed tree order, deterministic),
// then normalises its own values; the eval forward is a plain elementwise kernel.
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/batch_norm.h"

namespace genint {
namespace {

constexpr int kThreads = 512;

// Tree sum over the block; every thread gets the total. `scratch` holds kThreads doubles.
__device__ double block_sum(double value, double* scratch) {
  scratch[threadIdx.x] = value;
  __syncthreads();
  for (int stride = kThreads / 2; stride > 0; stride >>= 1) {
    if (static_cast<int>(threadIdx.x) < stride) scratch[threadIdx.x] += scratch[threadIdx.x + stride];
    __syncthreads();
  }
  const double total = scratch[0];
  __syncthreads();  // scratch is reused by the next reduction
  return total;
}

// Position `element` (< batch·spatial) of the channel handled by this block → index into the NCHW tensor.
__device__ std::int64_t channel_index(BatchNormShape shape, std::int64_t element) {
  const std::int64_t image = element / shape.spatial;
  const std::int64_t position = element - image * shape.spatial;
  return (image * shape.channels + blockIdx.x) * shape.spatial + position;
}

__global__ void forward_train_kernel(const float* input, BatchNormShape shape, const float* gamma, const float* beta,
                                     float eps, float momentum, float* running_mean, float* running_var, float* output,
                                     float* saved_mean, float* saved_inverse_std) {
  __shared__ double scratch[kThreads];
  const int channel = blockIdx.x;
  const std::int64_t count = static_cast<std::int64_t>(shape.batch) * shape.spatial;
  double partial = 0.0;
  for (std::int64_t element = threadIdx.x; element < count; element += kThreads)
    partial += input[channel_index(shape, element)];
  const double mean = block_sum(partial, scratch) / static_cast<double>(count);
  partial = 0.0;
  for (std::int64_t element = threadIdx.x; element < count; element += kThreads) {
    const double deviation = input[channel_index(shape, element)] - mean;
    partial += deviation * deviation;
  }
  const double squared_deviations = block_sum(partial, scratch);
  const auto inverse_std =
      static_cast<float>(1.0 / sqrt(squared_deviations / static_cast<double>(count) + static_cast<double>(eps)));
  const auto mean_float = static_cast<float>(mean);
  const float scale = inverse_std * gamma[channel];
  for (std::int64_t element = threadIdx.x; element < count; element += kThreads) {
    const std::int64_t index = channel_index(shape, element);
    output[index] = (input[index] - mean_float) * scale + beta[channel];
  }
  if (threadIdx.x == 0) {
    saved_mean[channel] = mean_float;
    saved_inverse_std[channel] = inverse_std;
    running_mean[channel] = (1.0f - momentum) * running_mean[channel] + momentum * mean_float;
    running_var[channel] = (1.0f - momentum) * running_var[channel] +
                           momentum * static_cast<float>(squared_deviations / static_cast<double>(count - 1));
  }
}

__global__ void forward_eval_kernel(const float* input, BatchNormShape shape, const float* gamma, const float* beta,
                                    const float* running_mean, const float* running_var, float eps, float* output,
                                    std::int64_t total) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const auto channel = static_cast<int>((index / shape.spatial) % shape.channels);
  const float scale = gamma[channel] / sqrtf(running_var[channel] + eps);
  output[index] = (input[index] - running_mean[channel]) * scale + beta[channel];
}

__global__ void backward_kernel(const float* grad_output, const float* input, BatchNormShape shape, const float* gamma,
                                const float* saved_mean, const float* saved_inverse_std, float* grad_input,
                                float* grad_gamma, float* grad_beta) {
  __shared__ double scratch[kThreads];
  const int channel = blockIdx.x;
  const std::int64_t count = static_cast<std::int64_t>(shape.batch) * shape.spatial;
  const float mean = saved_mean[channel];
  const float inverse_std = saved_inverse_std[channel];
  double partial_grad = 0.0;
  double partial_grad_times_normalized = 0.0;
  for (std::int64_t element = threadIdx.x; element < count; element += kThreads) {
    const std::int64_t index = channel_index(shape, element);
    partial_grad += grad_output[index];
    partial_grad_times_normalized += static_cast<double>(grad_output[index]) * ((input[index] - mean) * inverse_std);
  }
  const double sum_grad = block_sum(partial_grad, scratch);
  const double sum_grad_times_normalized = block_sum(partial_grad_times_normalized, scratch);
  const auto mean_grad = static_cast<float>(sum_grad / static_cast<double>(count));
  const auto mean_grad_times_normalized = static_cast<float>(sum_grad_times_normalized / static_cast<double>(count));
  const float scale = gamma[channel] * inverse_std;
  for (std::int64_t element = threadIdx.x; element < count; element += kThreads) {
    const std::int64_t index = channel_index(shape, element);
    const float normalized = (input[index] - mean) * inverse_std;
    grad_input[index] = scale * (grad_output[index] - mean_grad - normalized * mean_grad_times_normalized);
  }
  if (threadIdx.x == 0) {
    grad_gamma[channel] = static_cast<float>(sum_grad_times_normalized);
    grad_beta[channel] = static_cast<float>(sum_grad);
  }
}

}  // namespace

void batch_norm_forward_train_cuda(const float* input, const BatchNormShape& shape, const float* gamma,
                                   const float* beta, float eps, float momentum, float* running_mean,
                                   float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                                   void* stream) {
  check_batch_norm_shape("batch_norm_forward_train_cuda", shape);
  GENINT_CHECK(static_cast<std::int64_t>(shape.batch) * shape.spatial > 1,
               "batch_norm_forward_train_cuda: needs more than one value per channel");
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_train_cuda: eps must be positive");
  forward_train_kernel<<<shape.channels, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      input, shape, gamma, beta, eps, momentum, running_mean, running_var, output, saved_mean, saved_inverse_std);
  GENINT_CUDA_CHECK_LAUNCH();
}

void batch_norm_forward_eval_cuda(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, const float* running_mean, const float* running_var, float eps,
                                  float* output, void* stream) {
  check_batch_norm_shape("batch_norm_forward_eval_cuda", shape);
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_eval_cuda: eps must be positive");
  const std::int64_t total = static_cast<std::int64_t>(shape.batch) * shape.channels * shape.spatial;
  constexpr int threads = 256;
  const auto blocks = static_cast<unsigned>((total + threads - 1) / threads);
  forward_eval_kernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(
      input, shape, gamma, beta, running_mean, running_var, eps, output, total);
  GENINT_CUDA_CHECK_LAUNCH();
}

void batch_norm_backward_cuda(const float* grad_output, const float* input, const BatchNormShape& shape,
                              const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                              float* grad_input, float* grad_gamma, float* grad_beta, void* stream) {
  check_batch_norm_shape("batch_norm_backward_cuda", shape);
  backward_kernel<<<shape.channels, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      grad_output, input, shape, gamma, saved_mean, saved_inverse_std, grad_input, grad_gamma, grad_beta);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
