// CPU twin of 2-D max pooling with argmax (the backward scatters each window's gradient to its winner in output
// row-major order): the truth the CUDA kernels are compared against. Dispatch points (by OpTarget) at the end.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <utility>

#include "nn/core/cuda_backend.h"
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

// A run of `count` windows along one output row, each wholly inside the plane, Kernel and Stride known at compile
// time so the loop unrolls (and for AdaIN's 2×2/2 vectorises): pool_one_window's rule cell by cell, as selects. Its
// −inf start is left out because the first cell always stands (greater than −inf, NaN, or −inf keeping its index).
template <int Kernel, int Stride>
void pool_interior_run(const float* plane, int width, int y_begin, int x_begin, int count, float* output,
                       std::int32_t* argmax) {
  for (int window = 0; window < count; ++window) {
    const std::int32_t first = y_begin * width + x_begin + Stride * window;
    float best = plane[first];
    std::int32_t best_index = first;
    for (int dy = 0; dy < Kernel; ++dy) {
      for (int dx = dy == 0 ? 1 : 0; dx < Kernel; ++dx) {
        const std::int32_t index = first + dy * width + dx;
        const float value = plane[index];
        const bool wins = value > best || value != value;  // greater, or NaN
        best = wins ? value : best;
        best_index = wins ? index : best_index;
      }
    }
    output[window] = best;
    argmax[window] = best_index;
  }
}

using InteriorRun = void (*)(const float*, int, int, int, int, float*, std::int32_t*);

// The unrolled run for kernels 2 and 3 (AdaIN's 2×2/2, ResNet's 3×3/2, torch's default stride = kernel) at strides
// 1 to 3; nullptr for other shapes, whose windows all go through pool_one_window.
InteriorRun interior_run_for(int kernel, int stride) {
  constexpr InteriorRun runs[2][3] = {{pool_interior_run<2, 1>, pool_interior_run<2, 2>, pool_interior_run<2, 3>},
                                      {pool_interior_run<3, 1>, pool_interior_run<3, 2>, pool_interior_run<3, 3>}};
  return kernel >= 2 && kernel <= 3 && stride >= 1 && stride <= 3 ? runs[kernel - 2][stride - 1] : nullptr;
}

// First and one-past-last output coordinate whose window lies wholly inside `size` input cells.
std::pair<int, int> interior_range(const MaxPoolShape& shape, int size, int output_size) {
  const int first = (shape.padding + shape.stride - 1) / shape.stride;
  const int last = (size - shape.kernel + shape.padding) / shape.stride;  // ≥ first − 1 when none fits
  return {std::min(first, output_size), std::max(std::min(last + 1, output_size), std::min(first, output_size))};
}

// One output row: the interior windows (the common case) through the unrolled run where there is one, the border
// ones and other shapes through pool_one_window.
void pool_output_row(const float* plane, const MaxPoolShape& shape, int output_y, std::pair<int, int> columns,
                     bool row_inside, float* output, std::int32_t* argmax) {
  const int output_width = shape.output_width();
  const InteriorRun run = row_inside ? interior_run_for(shape.kernel, shape.stride) : nullptr;
  const int interior_begin = run ? columns.first : output_width;
  const int interior_end = run ? columns.second : output_width;
  for (int output_x = 0; output_x < interior_begin; ++output_x)
    pool_one_window(plane, shape, output_y, output_x, output + output_x, argmax + output_x);
  if (run)
    run(plane, shape.width, output_y * shape.stride - shape.padding, interior_begin * shape.stride - shape.padding,
        interior_end - interior_begin, output + interior_begin, argmax + interior_begin);
  for (int output_x = interior_end; output_x < output_width; ++output_x)
    pool_one_window(plane, shape, output_y, output_x, output + output_x, argmax + output_x);
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
  const std::pair<int, int> rows = interior_range(shape, shape.height, output_height);
  const std::pair<int, int> columns = interior_range(shape, shape.width, output_width);
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    for (int output_y = 0; output_y < output_height; ++output_y) {
      const std::int64_t at = plane * output_plane + static_cast<std::int64_t>(output_y) * output_width;
      const bool row_inside = output_y >= rows.first && output_y < rows.second;
      pool_output_row(input + plane * input_plane, shape, output_y, columns, row_inside, output + at, argmax + at);
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

void max_pool_forward(const OpTarget& target, const float* input, const MaxPoolShape& shape, float* output,
                      std::int32_t* argmax) {
  if (target.on_cpu()) return max_pool_forward_cpu(input, shape, output, argmax);
  GENINT_CUDA_CALL(max_pool_forward_cuda, input, shape, output, argmax, target.stream);
}

void max_pool_backward(const OpTarget& target, const float* grad_output, const std::int32_t* argmax,
                       const MaxPoolShape& shape, float* grad_input) {
  if (target.on_cpu()) return max_pool_backward_cpu(grad_output, argmax, shape, grad_input);
  GENINT_CUDA_CALL(max_pool_backward_cuda, grad_output, argmax, shape, grad_input, target.stream);
}

}  // namespace genint
