// CPU twin of 2-D max pooling with argmax: planes split across OpenMP threads, the backward scatters each
// window's gradient to its winner in output row-major order. The truth the CUDA kernels are compared against.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/max_pool.h"

namespace genint {
namespace {

// Max of one window; the index starts at the first in-bounds cell and −inf is the running max, as torch does,
// so padding never wins and a NaN anywhere in the window is the result.
void pool_one_window(const float* plane, const MaxPoolShape& shape, int output_y, int output_x, float* output,
                     std::int32_t* argmax) {
  const int y_begin = std::max(output_y * shape.stride - shape.padding, 0);
  const int x_begin = std::max(output_x * shape.stride - shape.padding, 0);
  const int y_end = std::min(output_y * shape.stride - shape.padding + shape.kernel, shape.height);
  const int x_end = std::min(output_x * shape.stride - shape.padding + shape.kernel, shape.width);
  float best = -std::numeric_limits<float>::infinity();
  std::int32_t best_index = y_begin * shape.width + x_begin;
  for (int y = y_begin; y < y_end; ++y) {
    for (int x = x_begin; x < x_end; ++x) {
      const float value = plane[y * shape.width + x];
      if (value > best || std::isnan(value)) {
        best = value;
        best_index = y * shape.width + x;
      }
    }
  }
  *output = best;
  *argmax = best_index;
}

}  // namespace

void check_max_pool_shape(const MaxPoolShape& shape) {
  const std::string sizes = "(batch " + std::to_string(shape.batch) + ", channels " + std::to_string(shape.channels) +
                            ", " + std::to_string(shape.height) + "×" + std::to_string(shape.width) + ", kernel " +
                            std::to_string(shape.kernel) + ", stride " + std::to_string(shape.stride) + ", padding " +
                            std::to_string(shape.padding) + (shape.ceil_mode ? ", ceil_mode)" : ")");
  GENINT_CHECK(shape.batch > 0 && shape.channels > 0 && shape.height > 0 && shape.width > 0,
               "max_pool: sizes must be positive " + sizes);
  GENINT_CHECK(shape.kernel > 0 && shape.stride > 0, "max_pool: kernel and stride must be positive " + sizes);
  GENINT_CHECK(shape.padding >= 0 && 2 * shape.padding <= shape.kernel,
               "max_pool: padding must lie in [0, kernel/2] " + sizes);
  GENINT_CHECK(shape.height + 2 * shape.padding >= shape.kernel && shape.width + 2 * shape.padding >= shape.kernel,
               "max_pool: input smaller than kernel " + sizes);
  GENINT_CHECK(shape.output_height() > 0 && shape.output_width() > 0, "max_pool: input smaller than kernel " + sizes);
}

void max_pool_forward_cpu(const float* input, const MaxPoolShape& shape, float* output, std::int32_t* argmax) {
  check_max_pool_shape(shape);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
  const int output_height = shape.output_height();
  const int output_width = shape.output_width();
  const std::int64_t input_plane = static_cast<std::int64_t>(shape.height) * shape.width;
  const std::int64_t output_plane = static_cast<std::int64_t>(output_height) * output_width;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    for (int output_y = 0; output_y < output_height; ++output_y) {
      for (int output_x = 0; output_x < output_width; ++output_x) {
        const std::int64_t at = plane * output_plane + output_y * output_width + output_x;
        pool_one_window(input + plane * input_plane, shape, output_y, output_x, output + at, argmax + at);
      }
    }
  }
}

void max_pool_backward_cpu(const float* grad_output, const std::int32_t* argmax, const MaxPoolShape& shape,
                           float* grad_input) {
  check_max_pool_shape(shape);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
  const std::int64_t input_plane = static_cast<std::int64_t>(shape.height) * shape.width;
  const std::int64_t output_plane = static_cast<std::int64_t>(shape.output_height()) * shape.output_width();
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    float* destination = grad_input + plane * input_plane;
    std::fill_n(destination, input_plane, 0.0f);
    for (std::int64_t output = 0; output < output_plane; ++output) {
      destination[argmax[plane * output_plane + output]] += grad_output[plane * output_plane + output];
    }
  }
}

}  // namespace genint
