// CPU twin of batch norm: per-channel statistics accumulated in double, channels split across OpenMP threads.
// It is the truth the CUDA kernels and the PyTorch goldens are compared against.
#include <cmath>
#include <cstdint>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/batch_norm.h"

namespace genint {
namespace {

// Visits the `spatial` contiguous values of one channel in each of the `batch` images.
template <typename Visitor>
void for_each_in_channel(const BatchNormShape& shape, int channel, Visitor&& visit) {
  const std::int64_t image_stride = static_cast<std::int64_t>(shape.channels) * shape.spatial;
  for (int image = 0; image < shape.batch; ++image) {
    const std::int64_t offset = image * image_stride + static_cast<std::int64_t>(channel) * shape.spatial;
    for (int position = 0; position < shape.spatial; ++position) visit(offset + position);
  }
}

}  // namespace

void check_batch_norm_shape(const char* op, const BatchNormShape& shape) {
  GENINT_CHECK(shape.batch > 0 && shape.channels > 0 && shape.spatial > 0,
               std::string(op) + ": batch, channels and spatial must be positive (got " + std::to_string(shape.batch) +
                   ", " + std::to_string(shape.channels) + ", " + std::to_string(shape.spatial) + ")");
}

void batch_norm_forward_train_cpu(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                                  float* output, float* saved_mean, float* saved_inverse_std) {
  check_batch_norm_shape("batch_norm_forward_train", shape);
  const std::int64_t count = static_cast<std::int64_t>(shape.batch) * shape.spatial;
  GENINT_CHECK(count > 1, "batch_norm_forward_train: needs more than one value per channel (batch " +
                              std::to_string(shape.batch) + " × spatial " + std::to_string(shape.spatial) + ")");
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_train: eps must be positive");
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    double sum = 0.0;
    for_each_in_channel(shape, channel, [&](std::int64_t index) { sum += input[index]; });
    const double mean = sum / static_cast<double>(count);
    double squared_deviations = 0.0;
    for_each_in_channel(shape, channel, [&](std::int64_t index) {
      const double deviation = input[index] - mean;
      squared_deviations += deviation * deviation;
    });
    const double biased_variance = squared_deviations / static_cast<double>(count);
    const double unbiased_variance = squared_deviations / static_cast<double>(count - 1);
    const auto inverse_std = static_cast<float>(1.0 / std::sqrt(biased_variance + static_cast<double>(eps)));
    const auto mean_float = static_cast<float>(mean);
    const float scale = inverse_std * gamma[channel];
    for_each_in_channel(shape, channel, [&](std::int64_t index) {
      output[index] = (input[index] - mean_float) * scale + beta[channel];
    });
    saved_mean[channel] = mean_float;
    saved_inverse_std[channel] = inverse_std;
    running_mean[channel] = (1.0f - momentum) * running_mean[channel] + momentum * mean_float;
    running_var[channel] = (1.0f - momentum) * running_var[channel] + momentum * static_cast<float>(unbiased_variance);
  }
}

void batch_norm_forward_eval_cpu(const float* input, const BatchNormShape& shape, const float* gamma, const float* beta,
                                 const float* running_mean, const float* running_var, float eps, float* output) {
  check_batch_norm_shape("batch_norm_forward_eval", shape);
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_eval: eps must be positive");
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    const float scale = gamma[channel] / std::sqrt(running_var[channel] + eps);
    const float mean = running_mean[channel];
    for_each_in_channel(shape, channel,
                        [&](std::int64_t index) { output[index] = (input[index] - mean) * scale + beta[channel]; });
  }
}

void batch_norm_backward_cpu(const float* grad_output, const float* input, const BatchNormShape& shape,
                             const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                             float* grad_input, float* grad_gamma, float* grad_beta) {
  check_batch_norm_shape("batch_norm_backward", shape);
  const double count = static_cast<double>(shape.batch) * shape.spatial;
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    const float mean = saved_mean[channel];
    const float inverse_std = saved_inverse_std[channel];
    double sum_grad = 0.0;
    double sum_grad_times_normalized = 0.0;
    for_each_in_channel(shape, channel, [&](std::int64_t index) {
      sum_grad += grad_output[index];
      sum_grad_times_normalized += static_cast<double>(grad_output[index]) * ((input[index] - mean) * inverse_std);
    });
    // d input = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)): the batch statistics' own gradients folded in.
    const auto mean_grad = static_cast<float>(sum_grad / count);
    const auto mean_grad_times_normalized = static_cast<float>(sum_grad_times_normalized / count);
    const float scale = gamma[channel] * inverse_std;
    for_each_in_channel(shape, channel, [&](std::int64_t index) {
      const float normalized = (input[index] - mean) * inverse_std;
      grad_input[index] = scale * (grad_output[index] - mean_grad - normalized * mean_grad_times_normalized);
    });
    grad_gamma[channel] = static_cast<float>(sum_grad_times_normalized);
    grad_beta[channel] = static_cast<float>(sum_grad);
  }
}

}  // namespace genint
