// CUDA batch norm. Training forward and backward split each channel's batch·spatial values into a fixed number of
// chunks (set by the shape alone, so the double sums run in one order on any GPU): one block per (chunk, channel)
// reduces its chunk, one thread per channel combines the chunks in order (Chan's formula for the variance), and an
// elementwise pass applies the result. Cursors advance (image, position) and (channel, position) by increments, so
// no index is divided per element.
#include <cuda_bf16.h>

#include <algorithm>
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/batch_norm.h"
#include "nn/ops/block_reduce.cuh"
#include "nn/tensor/arena.h"

namespace genint {
namespace {

constexpr int kThreads = 256;
constexpr std::int64_t kValuesPerChunk = 2048;  // 8 values per thread per pass: enough work to hide the reduction
constexpr int kMaxChunks = 256;
constexpr int kMaxElementwiseBlocks = 4096;  // the grid-stride loop covers the rest

struct ChunkMoments {  // one chunk's values: how many, their mean, the sum of squared deviations from that mean
  double count, mean, squared_deviations;
};
struct ChunkSums {  // one chunk's Σ dy and Σ dy·x̂
  double grad, grad_times_normalized;
};

__device__ float load(const float* values, std::int64_t index) {
  return values[index];
}
__device__ float load(const __nv_bfloat16* values, std::int64_t index) {
  return __bfloat162float(values[index]);
}

int chunk_count(const BatchNormShape& shape) {
  const std::int64_t chunks = (shape.values_per_channel() + kValuesPerChunk - 1) / kValuesPerChunk;
  return static_cast<int>(std::min<std::int64_t>(chunks, kMaxChunks));
}

// The workspace: the chunk partials, then two floats per channel the backward's apply pass reads.
std::size_t channel_floats_offset(const BatchNormShape& shape) {
  return Arena::round_up(static_cast<std::size_t>(shape.channels) * static_cast<std::size_t>(chunk_count(shape)) *
                         std::max(sizeof(ChunkMoments), sizeof(ChunkSums)));
}
float* channel_floats(void* workspace, const BatchNormShape& shape) {
  return reinterpret_cast<float*>(static_cast<char*>(workspace) + channel_floats_offset(shape));
}

// Walks one channel's values element, element + kThreads, … (element = image·spatial + position) and gives each
// one's index in the NCHW tensor.
class ChannelCursor {
 public:
  __device__ ChannelCursor(const BatchNormShape& shape, int channel, std::int64_t element)
      : shape_(shape),
        channel_(channel),
        image_(static_cast<int>(element / shape.spatial)),
        position_(static_cast<int>(element % shape.spatial)),
        step_images_(kThreads / shape.spatial),
        step_positions_(kThreads % shape.spatial) {}
  __device__ std::int64_t index() const {
    return (static_cast<std::int64_t>(image_) * shape_.channels + channel_) * shape_.spatial + position_;
  }
  __device__ void advance() {
    image_ += step_images_;
    position_ += step_positions_;
    if (position_ >= shape_.spatial) {
      position_ -= shape_.spatial;
      ++image_;
    }
  }

 private:
  BatchNormShape shape_;
  int channel_, image_, position_, step_images_, step_positions_;
};

// Walks the whole NCHW tensor in a grid-stride loop, keeping each element's channel.
class TensorCursor {
 public:
  __device__ explicit TensorCursor(const BatchNormShape& shape)
      : shape_(shape),
        index_(static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x),
        stride_(static_cast<std::int64_t>(gridDim.x) * blockDim.x) {
    const std::int64_t plane = index_ / shape.spatial;
    position_ = static_cast<int>(index_ - plane * shape.spatial);
    channel_ = static_cast<int>(plane % shape.channels);
    const std::int64_t step_planes = stride_ / shape.spatial;
    step_positions_ = static_cast<int>(stride_ - step_planes * shape.spatial);
    step_channels_ = static_cast<int>(step_planes % shape.channels);
  }
  __device__ std::int64_t index() const { return index_; }
  __device__ int channel() const { return channel_; }
  __device__ void advance() {
    index_ += stride_;
    position_ += step_positions_;
    channel_ += step_channels_;
    if (position_ >= shape_.spatial) {
      position_ -= shape_.spatial;
      ++channel_;
    }
    if (channel_ >= shape_.channels) channel_ -= shape_.channels;  // below 2·channels: one wrap at most
  }

 private:
  BatchNormShape shape_;
  std::int64_t index_, stride_;
  int position_ = 0, channel_ = 0, step_positions_ = 0, step_channels_ = 0;
};

// Block (chunk, channel): the chunk's mean, then its squared deviations from that mean (the chunk is re-read from
// cache), both in double.
template <typename Input>
__global__ void chunk_moments_kernel(const Input* input, BatchNormShape shape, int chunks, ChunkMoments* partials) {
  __shared__ double scratch[kThreads];
  const auto plus = [](double first, double second) { return first + second; };
  const int chunk = blockIdx.x, channel = blockIdx.y;
  const std::int64_t count = static_cast<std::int64_t>(shape.batch) * shape.spatial;
  const std::int64_t begin = count * chunk / chunks, end = count * (chunk + 1) / chunks;
  double sum = 0.0;
  ChannelCursor cursor(shape, channel, begin + threadIdx.x);
  for (std::int64_t element = begin + threadIdx.x; element < end; element += kThreads, cursor.advance())
    sum += load(input, cursor.index());
  const auto values = static_cast<double>(end - begin);
  const double mean = block_reduce<kThreads>(sum, scratch, plus) / values;
  double squares = 0.0;
  cursor = ChannelCursor(shape, channel, begin + threadIdx.x);
  for (std::int64_t element = begin + threadIdx.x; element < end; element += kThreads, cursor.advance()) {
    const double deviation = load(input, cursor.index()) - mean;
    squares += deviation * deviation;
  }
  const double squared_deviations = block_reduce<kThreads>(squares, scratch, plus);
  if (threadIdx.x == 0) partials[static_cast<std::int64_t>(channel) * chunks + chunk] = {values, mean, squared_deviations};
}

// Thread per channel: the chunks merged in order, then the CPU twin's float results and running-statistics update.
__global__ void finish_statistics_kernel(const ChunkMoments* partials, int chunks, int channels, float eps,
                                         float momentum, float* running_mean, float* running_var, float* saved_mean,
                                         float* saved_inverse_std) {
  const int channel = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (channel >= channels) return;
  double count = 0.0, mean = 0.0, squared_deviations = 0.0;
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const ChunkMoments part = partials[static_cast<std::int64_t>(channel) * chunks + chunk];
    const double total = count + part.count, delta = part.mean - mean;
    mean += delta * (part.count / total);
    squared_deviations += part.squared_deviations + delta * delta * (count * part.count / total);
    count = total;
  }
  const auto inverse_std = static_cast<float>(1.0 / sqrt(squared_deviations / count + static_cast<double>(eps)));
  const auto mean_float = static_cast<float>(mean);
  saved_mean[channel] = mean_float;
  saved_inverse_std[channel] = inverse_std;
  running_mean[channel] = (1.0f - momentum) * running_mean[channel] + momentum * mean_float;
  running_var[channel] = (1.0f - momentum) * running_var[channel] +
                         momentum * static_cast<float>(squared_deviations / (count - 1.0));
}

// output = (x − mean)·scale + beta with scale = inverse_std·gamma (training) or gamma / sqrt(var + eps) (eval).
struct Normalization {
  const float* mean;
  const float* inverse_std;  // training; null in eval
  const float* var;          // eval
  const float* gamma;
  const float* beta;
  float eps;
};

template <typename Input>
__global__ void normalize_kernel(const Input* input, BatchNormShape shape, Normalization norm, std::int64_t total,
                                 float* output) {
  for (TensorCursor cursor(shape); cursor.index() < total; cursor.advance()) {
    const int channel = cursor.channel();
    const float scale = norm.inverse_std != nullptr ? norm.inverse_std[channel] * norm.gamma[channel]
                                                    : norm.gamma[channel] / sqrtf(norm.var[channel] + norm.eps);
    output[cursor.index()] = (load(input, cursor.index()) - norm.mean[channel]) * scale + norm.beta[channel];
  }
}

template <typename Input>
__global__ void chunk_sums_kernel(const float* grad_output, const Input* input, BatchNormShape shape, int chunks,
                                  const float* saved_mean, const float* saved_inverse_std, ChunkSums* partials) {
  __shared__ double scratch[kThreads];
  const auto plus = [](double first, double second) { return first + second; };
  const int chunk = blockIdx.x, channel = blockIdx.y;
  const std::int64_t count = static_cast<std::int64_t>(shape.batch) * shape.spatial;
  const std::int64_t begin = count * chunk / chunks, end = count * (chunk + 1) / chunks;
  const float mean = saved_mean[channel], inverse_std = saved_inverse_std[channel];
  double grad = 0.0, grad_times_normalized = 0.0;
  ChannelCursor cursor(shape, channel, begin + threadIdx.x);
  for (std::int64_t element = begin + threadIdx.x; element < end; element += kThreads, cursor.advance()) {
    const std::int64_t index = cursor.index();
    grad += grad_output[index];
    grad_times_normalized += static_cast<double>(grad_output[index]) * ((load(input, index) - mean) * inverse_std);
  }
  grad = block_reduce<kThreads>(grad, scratch, plus);
  grad_times_normalized = block_reduce<kThreads>(grad_times_normalized, scratch, plus);
  if (threadIdx.x == 0) partials[static_cast<std::int64_t>(channel) * chunks + chunk] = {grad, grad_times_normalized};
}

__global__ void finish_gradients_kernel(const ChunkSums* partials, int chunks, int channels, double count,
                                        float* grad_gamma, float* grad_beta, float* mean_grads) {
  const int channel = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (channel >= channels) return;
  double grad = 0.0, grad_times_normalized = 0.0;
  for (int chunk = 0; chunk < chunks; ++chunk) {
    const ChunkSums part = partials[static_cast<std::int64_t>(channel) * chunks + chunk];
    grad += part.grad;
    grad_times_normalized += part.grad_times_normalized;
  }
  grad_gamma[channel] = static_cast<float>(grad_times_normalized);
  grad_beta[channel] = static_cast<float>(grad);
  mean_grads[2 * channel] = static_cast<float>(grad / count);
  mean_grads[2 * channel + 1] = static_cast<float>(grad_times_normalized / count);
}

// d input = γ·σ⁻¹·(dy − mean(dy) − x̂·mean(dy·x̂)), as the CPU twin evaluates it. grad_input may alias grad_output.
template <typename Input>
__global__ void apply_gradients_kernel(const float* grad_output, const Input* input, BatchNormShape shape,
                                       const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                                       const float* mean_grads, std::int64_t total, float* grad_input) {
  for (TensorCursor cursor(shape); cursor.index() < total; cursor.advance()) {
    const int channel = cursor.channel();
    const std::int64_t index = cursor.index();
    const float inverse_std = saved_inverse_std[channel];
    const float normalized = (load(input, index) - saved_mean[channel]) * inverse_std;
    grad_input[index] = gamma[channel] * inverse_std *
                        (grad_output[index] - mean_grads[2 * channel] - normalized * mean_grads[2 * channel + 1]);
  }
}

unsigned elementwise_blocks(std::int64_t total) {
  return static_cast<unsigned>(std::min<std::int64_t>((total + kThreads - 1) / kThreads, kMaxElementwiseBlocks));
}

unsigned channel_blocks(int channels) {
  return static_cast<unsigned>((channels + kThreads - 1) / kThreads);
}

// Calls `run` with the input as float or __nv_bfloat16 device pointer.
template <typename Run>
void with_input(BatchNormInput input, Run&& run) {
  if (input.bfloat16) return run(static_cast<const __nv_bfloat16*>(input.data));
  run(static_cast<const float*>(input.data));
}

void check_cuda_shape(const char* op, const BatchNormShape& shape) {
  check_batch_norm_shape(op, shape);
  GENINT_CHECK(shape.channels <= 65535, std::string(op) + ": more than 65535 channels (" +
                                            std::to_string(shape.channels) + ") exceed the grid's y dimension");
}

}  // namespace

std::size_t batch_norm_cuda_workspace_bytes(const BatchNormShape& shape) {
  check_batch_norm_shape("batch_norm_workspace_bytes", shape);
  return channel_floats_offset(shape) + 2 * sizeof(float) * static_cast<std::size_t>(shape.channels);
}

void batch_norm_forward_train_cuda(BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                                   const float* beta, float eps, float momentum, float* running_mean,
                                   float* running_var, float* output, float* saved_mean, float* saved_inverse_std,
                                   void* workspace, void* stream) {
  check_cuda_shape("batch_norm_forward_train_cuda", shape);
  GENINT_CHECK(shape.values_per_channel() > 1, "batch_norm_forward_train_cuda: needs more than one value per channel");
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_train_cuda: eps must be positive");
  GENINT_CHECK(workspace != nullptr, "batch_norm_forward_train_cuda: no workspace");
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  const int chunks = chunk_count(shape);
  auto* partials = static_cast<ChunkMoments*>(workspace);
  const dim3 grid(static_cast<unsigned>(chunks), static_cast<unsigned>(shape.channels));
  with_input(input, [&](const auto* values) {
    chunk_moments_kernel<<<grid, kThreads, 0, cuda_stream>>>(values, shape, chunks, partials);
  });
  GENINT_CUDA_CHECK_LAUNCH();
  finish_statistics_kernel<<<channel_blocks(shape.channels), kThreads, 0, cuda_stream>>>(
      partials, chunks, shape.channels, eps, momentum, running_mean, running_var, saved_mean, saved_inverse_std);
  GENINT_CUDA_CHECK_LAUNCH();
  const Normalization norm{saved_mean, saved_inverse_std, nullptr, gamma, beta, eps};
  const std::int64_t total = shape.element_count();
  with_input(input, [&](const auto* values) {
    normalize_kernel<<<elementwise_blocks(total), kThreads, 0, cuda_stream>>>(values, shape, norm, total, output);
  });
  GENINT_CUDA_CHECK_LAUNCH();
}

void batch_norm_forward_eval_cuda(BatchNormInput input, const BatchNormShape& shape, const float* gamma,
                                  const float* beta, const float* running_mean, const float* running_var, float eps,
                                  float* output, void* stream) {
  check_batch_norm_shape("batch_norm_forward_eval_cuda", shape);
  GENINT_CHECK(eps > 0.0f, "batch_norm_forward_eval_cuda: eps must be positive");
  const Normalization norm{running_mean, nullptr, running_var, gamma, beta, eps};
  const std::int64_t total = shape.element_count();
  with_input(input, [&](const auto* values) {
    normalize_kernel<<<elementwise_blocks(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(values, shape,
                                                                                                   norm, total, output);
  });
  GENINT_CUDA_CHECK_LAUNCH();
}

void batch_norm_backward_cuda(const float* grad_output, BatchNormInput input, const BatchNormShape& shape,
                              const float* gamma, const float* saved_mean, const float* saved_inverse_std,
                              float* grad_input, float* grad_gamma, float* grad_beta, void* workspace, void* stream) {
  check_cuda_shape("batch_norm_backward_cuda", shape);
  GENINT_CHECK(workspace != nullptr, "batch_norm_backward_cuda: no workspace");
  const auto cuda_stream = static_cast<cudaStream_t>(stream);
  const int chunks = chunk_count(shape);
  auto* partials = static_cast<ChunkSums*>(workspace);
  float* mean_grads = channel_floats(workspace, shape);
  const dim3 grid(static_cast<unsigned>(chunks), static_cast<unsigned>(shape.channels));
  with_input(input, [&](const auto* values) {
    chunk_sums_kernel<<<grid, kThreads, 0, cuda_stream>>>(grad_output, values, shape, chunks, saved_mean,
                                                          saved_inverse_std, partials);
  });
  GENINT_CUDA_CHECK_LAUNCH();
  finish_gradients_kernel<<<channel_blocks(shape.channels), kThreads, 0, cuda_stream>>>(
      partials, chunks, shape.channels, static_cast<double>(shape.values_per_channel()), grad_gamma, grad_beta,
      mean_grads);
  GENINT_CUDA_CHECK_LAUNCH();
  const std::int64_t total = shape.element_count();
  with_input(input, [&](const auto* values) {
    apply_gradients_kernel<<<elementwise_blocks(total), kThreads, 0, cuda_stream>>>(
        grad_output, values, shape, gamma, saved_mean, saved_inverse_std, mean_grads, total, grad_input);
  });
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
