// CPU twin of nearest-neighbour integer upsampling: each output row copies its source row with every value
// repeated `factor` times. The truth the CUDA kernel is compared against.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/upsample.h"

namespace genint {

void check_upsample_shape(std::int64_t planes, int height, int width, int factor) {
  GENINT_CHECK(planes >= 0 && height > 0 && width > 0 && factor > 0,
               "upsample_nearest: planes must be ≥ 0, height, width and factor > 0 (got " + std::to_string(planes) +
                   ", " + std::to_string(height) + ", " + std::to_string(width) + ", " + std::to_string(factor) + ")");
}

namespace {

template <typename Value>
void upsample_nearest(const Value* input, std::int64_t planes, int height, int width, int factor, Value* output) {
  check_upsample_shape(planes, height, width, factor);
  const std::int64_t output_width = static_cast<std::int64_t>(width) * factor;
  const std::int64_t output_height = static_cast<std::int64_t>(height) * factor;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    for (std::int64_t output_y = 0; output_y < output_height; ++output_y) {
      const Value* source = input + (plane * height + output_y / factor) * width;
      Value* destination = output + (plane * output_height + output_y) * output_width;
      for (std::int64_t output_x = 0; output_x < output_width; ++output_x) {
        destination[output_x] = source[output_x / factor];
      }
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

}  // namespace genint
