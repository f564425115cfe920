// CUDA max pooling: the forward runs one thread per output window; the backward one thread per input cell,
// gathering the windows it won in output row-major order — no atomics, bit-identical to the CPU scatter.
#include <cmath>

#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/max_pool.h"

namespace genint {
namespace {

__global__ void max_pool_forward_kernel(const float* input, MaxPoolShape shape, int output_height, int output_width,
                                        float* output, std::int32_t* argmax, std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index >= total) return;
  const std::int64_t plane = index / (static_cast<std::int64_t>(output_height) * output_width);
  const auto within = static_cast<int>(index - plane * output_height * output_width);
  const int output_y = within / output_width;
  const int output_x = within % output_width;
  const int y_begin = max(output_y * shape.stride - shape.padding, 0);
  const int x_begin = max(output_x * shape.stride - shape.padding, 0);
  const int y_end = min(output_y * shape.stride - shape.padding + shape.kernel, shape.height);
  const int x_end = min(output_x * shape.stride - shape.padding + shape.kernel, shape.width);
  const float* values = input + plane * shape.height * shape.width;
  float best = -INFINITY;  // padding never wins; the first in-bounds cell is the index of an all −inf window
  std::int32_t best_index = y_begin * shape.width + x_begin;
  for (int y = y_begin; y < y_end; ++y) {
    for (int x = x_begin; x < x_end; ++x) {
      const float value = values[y * shape.width + x];
      if (value > best || isnan(value)) {
        best = value;
        best_index = y * shape.width + x;
      }
    }
  }
  output[index] = best;
  argmax[index] = best_index;
}

__global__ void max_pool_backward_kernel(const float* grad_output, const std::int32_t* argmax, MaxPoolShape shape,
                                         int output_height, int output_width, float* grad_input, std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index >= total) return;
  const std::int64_t plane = index / (static_cast<std::int64_t>(shape.height) * shape.width);
  const auto cell = static_cast<std::int32_t>(index - plane * shape.height * shape.width);
  const int y = cell / shape.width;
  const int x = cell % shape.width;
  // Windows whose span [o·stride − padding, o·stride − padding + kernel) contains y (and x).
  const int y_first = y + shape.padding < shape.kernel ? 0 : (y + shape.padding - shape.kernel) / shape.stride + 1;
  const int x_first = x + shape.padding < shape.kernel ? 0 : (x + shape.padding - shape.kernel) / shape.stride + 1;
  const int y_last = min((y + shape.padding) / shape.stride, output_height - 1);
  const int x_last = min((x + shape.padding) / shape.stride, output_width - 1);
  const std::int64_t output_offset = plane * output_height * output_width;
  float sum = 0.0f;
  for (int output_y = y_first; output_y <= y_last; ++output_y) {
    for (int output_x = x_first; output_x <= x_last; ++output_x) {
      const std::int64_t at = output_offset + output_y * output_width + output_x;
      if (argmax[at] == cell) sum += grad_output[at];
    }
  }
  grad_input[index] = sum;
}

}  // namespace

void max_pool_forward_cuda(const float* input, const MaxPoolShape& shape, float* output, std::int32_t* argmax,
                           void* stream) {
  check_max_pool_shape(shape);
  const std::int64_t total =
      static_cast<std::int64_t>(shape.batch) * shape.channels * shape.output_height() * shape.output_width();
  launch_elementwise(max_pool_forward_kernel, total, stream, input, shape, shape.output_height(), shape.output_width(),
                     output, argmax, total);
}

void max_pool_backward_cuda(const float* grad_output, const std::int32_t* argmax, const MaxPoolShape& shape,
                            float* grad_input, void* stream) {
  check_max_pool_shape(shape);
  const std::int64_t total = static_cast<std::int64_t>(shape.batch) * shape.channels * shape.height * shape.width;
  launch_elementwise(max_pool_backward_kernel, total, stream, grad_output, argmax, shape, shape.output_height(),
                     shape.output_width(), grad_input, total);
}

}  // namespace genint
