// CPU twin of batch norm, per-channel sums in double over 8 lanes (so the adds pipeline and vectorise): the truth
// the CUDA kernels and goldens are held to. The dispatch points at the end run it (float32 input) or the kernels.
#include <cmath>
#include <cstdint>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/relu.h"

namespace genint {
namespace {

constexpr int kLanes = 8;

// Visits the `spatial` contiguous values of one channel in each of the `batch` images, one image run at a time.
template <typename Visitor>
void for_each_run(const BatchNormShape& shape, int channel, Visitor&& visit) {
  const std::int64_t image_stride = static_cast<std::int64_t>(shape.channels) * shape.spatial;
  for (int image = 0; image < shape.batch; ++image)
    visit(image * image_stride + static_cast<std::int64_t>(channel) * shape.spatial);
}

// Two sums over one channel, sum(first(i)) and sum(second(i)), each in 8 double lanes: lane l takes the positions
// ≡ l (mod 8) of every image run. The lanes are added in a fixed tree, so the result depends on the shape only.
struct ChannelSums {
  double first = 0.0, second = 0.0;
};

double add_lanes(const double* lanes) {
  return ((lanes[0] + lanes[1]) + (lanes[2] + lanes[3])) + ((lanes[4] + lanes[5]) + (lanes[6] + lanes[7]));
}

template <typename First, typename Second>
ChannelSums channel_sums(const BatchNormShape& shape, int channel, First&& first, Second&& second) {
  double first_lanes[kLanes] = {}, second_lanes[kLanes] = {};
  for_each_run(shape, channel, [&](std::int64_t offset) {
    int position = 0;
    for (; position + kLanes <= shape.spatial; position += kLanes)
      for (int lane = 0; lane < kLanes; ++lane) {
        first_lanes[lane] += first(offset + position + lane);
        second_lanes[lane] += second(offset + position + lane);
      }
    for (int lane = 0; position < shape.spatial; ++position, ++lane) {
      first_lanes[lane] += first(offset + position);
      second_lanes[lane] += second(offset + position);
    }
  });
  return {add_lanes(first_lanes), add_lanes(second_lanes)};
}

template <typename Term>
double channel_sum(const BatchNormShape& shape, int channel, Term&& term) {
  return channel_sums(shape, channel, term, [](std::int64_t) { return 0.0; }).first;
}

// output = (input − mean)·scale + shift over one channel's runs, then max(·, 0) when `relu` (NaN passes, as
// torch's ReLU): two plain loops, so each vectorises (a per-value test of `relu` kept them scalar).
void normalize_channel(const float* input, const BatchNormShape& shape, int channel, float mean, float scale,
                       float shift, bool relu, float* output) {
  for_each_run(shape, channel, [&](std::int64_t offset) {
    const float* source = input + offset;
    float* destination = output + offset;
    if (relu) {
      for (int index = 0; index < shape.spatial; ++index) {
        const float value = (source[index] - mean) * scale + shift;
        destination[index] = value < 0.0f ? 0.0f : value;
      }
    } else {
      for (int index = 0; index < shape.spatial; ++index) destination[index] = (source[index] - mean) * scale + shift;
    }
  });
}

// The backward of batch norm for one channel given the gradient of its output as `grad(index)` (dy, or dy masked
// by a following ReLU): d input = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)), the batch statistics' gradients folded in.
template <typename Grad>
void backward_channel(Grad&& grad, const float* input, const BatchNormShape& shape, int channel, const float* gamma,
                      const float* saved_mean, const float* saved_inverse_std, float* grad_input, float* grad_gamma,
                      float* grad_beta) {
  const auto count = static_cast<double>(shape.values_per_channel());
  const float mean = saved_mean[channel];
  const float inverse_std = saved_inverse_std[channel];
  const ChannelSums sums = channel_sums(
      shape, channel, [&](std::int64_t index) { return static_cast<double>(grad(index)); },
      [&](std::int64_t index) { return static_cast<double>(grad(index)) * ((input[index] - mean) * inverse_std); });
  const auto mean_grad = static_cast<float>(sums.first / count);
  const auto mean_grad_times_normalized = static_cast<float>(sums.second / count);
  const float scale = gamma[channel] * inverse_std;
  for_each_run(shape, channel, [&](std::int64_t offset) {
    for (std::int64_t index = offset; index < offset + shape.spatial; ++index) {
      const float normalized = (input[index] - mean) * inverse_std;
      grad_input[index] = scale * (grad(index) - mean_grad - normalized * mean_grad_times_normalized);
    }
  });
  grad_gamma[channel] = static_cast<float>(sums.second);
  grad_beta[channel] = static_cast<float>(sums.first);
}

}  // namespace

void check_batch_norm_shape(const char* op, const BatchNormShape& shape) {
  GENINT_CHECK(shape.batch > 0 && shape.channels > 0 && shape.spatial > 0,
               std::string(op) + ": batch, channels and spatial must be positive (got " + std::to_string(shape.batch) +
                   ", " + std::to_string(shape.channels) + ", " + std::to_string(shape.spatial) + ")");
}

void batch_norm_forward_train_cpu(const float* input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, float eps, float momentum, float* running_mean, float* running_var,
                                  float* output, float* saved_mean, float* saved_inverse_std, bool relu) {
  check_batch_norm_shape("batch_norm_forward_train", shape);
  const std::int64_t count = shape.values_per_channel();
  GENINT_CHECK(count > 1, "batch_norm_forward_train: needs more than one value per channel (batch " +
                              std::to_string(shape.batch) + " × spatial " + std::to_string(shape.spatial) + ")");
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_train: eps must be positive");
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    const double mean = channel_sum(shape, channel, [&](std::int64_t index) { return double{input[index]}; }) /
                        static_cast<double>(count);
    const double squared_deviations = channel_sum(shape, channel, [&](std::int64_t index) {
      const double deviation = input[index] - mean;
      return deviation * deviation;
    });
    const double biased_variance = squared_deviations / static_cast<double>(count);
    const double unbiased_variance = squared_deviations / static_cast<double>(count - 1);
    const auto inverse_std = static_cast<float>(1.0 / std::sqrt(biased_variance + static_cast<double>(eps)));
    const auto mean_float = static_cast<float>(mean);
    const float scale = inverse_std * gamma[channel];
    normalize_channel(input, shape, channel, mean_float, scale, beta[channel], relu, output);
    saved_mean[channel] = mean_float;
    saved_inverse_std[channel] = inverse_std;
    running_mean[channel] = (1.0f - momentum) * running_mean[channel] + momentum * mean_float;
    running_var[channel] = (1.0f - momentum) * running_var[channel] + momentum * static_cast<float>(unbiased_variance);
  }
}

void batch_norm_forward_eval_cpu(const float* input, const BatchNormShape& shape, const float* gamma, const float* beta,
                                 const float* running_mean, const float* running_var, float eps, float* output,
                                 bool relu) {
  check_batch_norm_shape("batch_norm_forward_eval", shape);
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_eval: eps must be positive");
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    const float scale = gamma[channel] / std::sqrt(running_var[channel] + eps);
    normalize_channel(input, shape, channel, running_mean[channel], scale, beta[channel], relu, output);
  }
}

void batch_norm_backward_cpu(const float* grad_output, const float* input, const BatchNormShape& shape,
                             const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                             float* grad_input, float* grad_gamma, float* grad_beta) {
  check_batch_norm_shape("batch_norm_backward", shape);
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel)
    backward_channel([&](std::int64_t index) { return grad_output[index]; }, input, shape, channel, gamma, saved_mean,
                     saved_inverse_std, grad_input, grad_gamma, grad_beta);
}

void batch_norm_relu_backward_cpu(const float* grad_output, const float* relu_output, const float* input,
                                  const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                                  const float* saved_inverse_std, float* grad_input, float* grad_gamma,
                                  float* grad_beta) {
  check_batch_norm_shape("batch_norm_relu_backward", shape);
#pragma omp parallel for schedule(static)
  for (int channel = 0; channel < shape.channels; ++channel) {
    // relu_backward_cpu's mask into grad_input first (a plain select loop vectorises; the mask inside the sums'
    // lanes did not), then the batch norm's backward from there, in place: the channel is still in cache.
    for_each_run(shape, channel, [&](std::int64_t offset) {
      for (std::int64_t index = offset; index < offset + shape.spatial; ++index) {
        const float gradient = grad_output[index];
        grad_input[index] = relu_output[index] > 0.0f ? gradient : 0.0f;
      }
    });
    backward_channel([&](std::int64_t index) { return grad_input[index]; }, input, shape, channel, gamma, saved_mean,
                     saved_inverse_std, grad_input, grad_gamma, grad_beta);
  }
}

namespace {

// bfloat16 activations are a CUDA storage mode; the CPU twin keeps their values in float32.
const float* cpu_input(BatchNormInput input) {
  GENINT_CHECK(!input.bfloat16, "batch_norm: bfloat16 input runs on CUDA only (the CPU twin keeps float32 storage)");
  return static_cast<const float*>(input.data);
}

}  // namespace

std::size_t batch_norm_workspace_bytes(const OpTarget& target, const BatchNormShape& shape) {
  if (target.on_cpu()) return 0;
  return GENINT_CUDA_CALL(batch_norm_cuda_workspace_bytes, shape);
}

void batch_norm_forward_train(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                              const float* gamma, const float* beta, float eps, float momentum, float* running_mean,
                              float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                              void* workspace, bool relu) {
  if (target.on_cpu())
    return batch_norm_forward_train_cpu(cpu_input(input), shape, gamma, beta, eps, momentum, running_mean, running_var,
                                        output, saved_mean, saved_inverse_std, relu);
  GENINT_CUDA_CALL(batch_norm_forward_train_cuda, input, shape, gamma, beta, eps, momentum, running_mean, running_var,
                   output, saved_mean, saved_inverse_std, workspace, target.stream);
  if (relu) relu_forward(target, output, shape.element_count(), output);
}

void batch_norm_forward_eval(const OpTarget& target, BatchNormInput input, const BatchNormShape& shape,
                             const float* gamma, const float* beta, const float* running_mean, const float* running_var,
                             float eps, float* output, bool relu) {
  if (target.on_cpu())
    return batch_norm_forward_eval_cpu(cpu_input(input), shape, gamma, beta, running_mean, running_var, eps, output,
                                       relu);
  GENINT_CUDA_CALL(batch_norm_forward_eval_cuda, input, shape, gamma, beta, running_mean, running_var, eps, output,
                   target.stream);
  if (relu) relu_forward(target, output, shape.element_count(), output);
}

void batch_norm_backward(const OpTarget& target, const float* grad_output, BatchNormInput input,
                         const BatchNormShape& shape, const float* gamma, const float* saved_mean,
                         const float* saved_inverse_std, float* grad_input, float* grad_gamma, float* grad_beta,
                         void* workspace) {
  if (target.on_cpu())
    return batch_norm_backward_cpu(grad_output, cpu_input(input), shape, gamma, saved_mean, saved_inverse_std,
                                   grad_input, grad_gamma, grad_beta);
  GENINT_CUDA_CALL(batch_norm_backward_cuda, grad_output, input, shape, gamma, saved_mean, saved_inverse_std,
                   grad_input, grad_gamma, grad_beta, workspace, target.stream);
}

void batch_norm_relu_backward(const OpTarget& target, const float* grad_output, const float* relu_output,
                              BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                              const float* saved_mean, const float* saved_inverse_std, float* grad_input,
                              float* grad_gamma, float* grad_beta, void* workspace) {
  if (target.on_cpu())
    return batch_norm_relu_backward_cpu(grad_output, relu_output, cpu_input(input), shape, gamma, saved_mean,
                                        saved_inverse_std, grad_input, grad_gamma, grad_beta);
  relu_backward(target, grad_output, relu_output, shape.element_count(), grad_input);
  batch_norm_backward(target, grad_input, input, shape, gamma, saved_mean, saved_inverse_std, grad_input, grad_gamma,
                      grad_beta, workspace);
}

}  // namespace genint
