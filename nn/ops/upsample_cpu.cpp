// CPU twin of nearest-neighbour integer upsampling: each source row's values repeated `factor` times, that row
// then copied `factor` − 1 times. The truth the CUDA kernel is compared against; dispatch points at the end.
#include <algorithm>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/upsample.h"

namespace genint {

void check_upsample_shape(std::int64_t planes, int height, int width, int factor) {
  GENINT_CHECK(planes >= 0 && height > 0 && width > 0 && factor > 0,
               "upsample_nearest: planes must be ≥ 0, height, width and factor > 0 (got " + std::to_string(planes) +
                   ", " + std::to_string(height) + ", " + std::to_string(width) + ", " + std::to_string(factor) + ")");
}

namespace {

// One output row: every source value repeated `factor` times (a compile-time 2, the decoder's, vectorises).
template <int Factor, typename Value>
void repeat_row(const Value* source, int width, int factor, Value* destination) {
  const int repeats = Factor > 0 ? Factor : factor;
  for (int x = 0; x < width; ++x) {
    for (int copy = 0; copy < repeats; ++copy) destination[x * repeats + copy] = source[x];
  }
}

template <typename Value>
void upsample_nearest(const Value* input, std::int64_t planes, int height, int width, int factor, Value* output) {
  check_upsample_shape(planes, height, width, factor);
  const std::int64_t output_width = static_cast<std::int64_t>(width) * factor;
  const std::int64_t output_height = static_cast<std::int64_t>(height) * factor;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    for (int y = 0; y < height; ++y) {
      const Value* source = input + (plane * height + y) * width;
      Value* first = output + (plane * output_height + static_cast<std::int64_t>(y) * factor) * output_width;
      if (factor == 2) {
        repeat_row<2>(source, width, factor, first);
      } else {
        repeat_row<0>(source, width, factor, first);
      }
      // The other factor − 1 output rows of this source row are copies of the first.
      for (int copy = 1; copy < factor; ++copy) std::copy(first, first + output_width, first + copy * output_width);
    }
  }
}

}  // namespace

void upsample_nearest_forward_cpu(const float* input, std::int64_t planes, int height, int width, int factor,
                                  float* output) {
  upsample_nearest(input, planes, height, width, factor, output);
}

void upsample_nearest_forward_cpu(const std::uint16_t* input, std::int64_t planes, int height, int width, int factor,
                                  std::uint16_t* output) {
  upsample_nearest(input, planes, height, width, factor, output);
}

void upsample_nearest_forward(const OpTarget& target, const float* input, std::int64_t planes, int height, int width,
                              int factor, float* output) {
  if (target.on_cpu()) return upsample_nearest_forward_cpu(input, planes, height, width, factor, output);
  GENINT_CUDA_CALL(upsample_nearest_forward_cuda, input, planes, height, width, factor, output, target.stream);
}

void upsample_nearest_forward(const OpTarget& target, const std::uint16_t* input, std::int64_t planes, int height,
                              int width, int factor, std::uint16_t* output) {
  if (target.on_cpu()) return upsample_nearest_forward_cpu(input, planes, height, width, factor, output);
  GENINT_CUDA_CALL(upsample_nearest_forward_cuda, input, planes, height, width, factor, output, target.stream);
}

}  // namespace genint
