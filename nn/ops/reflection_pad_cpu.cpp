// CPU twin of 2-D reflection padding: every output cell reads the input cell its coordinates reflect onto.
// The truth the CUDA kernel is compared against; the dispatch point at the end runs one or the other by OpTarget.
#include <algorithm>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/reflection_pad.h"
#include "nn/ops/reflection_pad_index.h"

namespace genint {

void check_reflection_pad_shape(const ReflectionPadShape& shape) {
  GENINT_CHECK(shape.planes >= 0 && shape.height > 0 && shape.width > 0,
               "reflection_pad: planes must be ≥ 0, height and width > 0 (got " + std::to_string(shape.planes) + ", " +
                   std::to_string(shape.height) + ", " + std::to_string(shape.width) + ")");
  const struct {
    const char* name;
    int pad;
    int size;
  } pads[] = {{"left", shape.left, shape.width},
              {"right", shape.right, shape.width},
              {"top", shape.top, shape.height},
              {"bottom", shape.bottom, shape.height}};
  for (const auto& pad : pads) {
    GENINT_CHECK(pad.pad >= 0 && pad.pad < pad.size, std::string("reflection_pad: ") + pad.name + " pad " +
                                                         std::to_string(pad.pad) + " must lie in [0, " +
                                                         std::to_string(pad.size) + ")");
  }
}

void reflection_pad_forward_cpu(const float* input, const ReflectionPadShape& shape, float* output) {
  check_reflection_pad_shape(shape);
  const int output_height = shape.output_height();
  const int output_width = shape.output_width();
  const int right_begin = shape.left + shape.width;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < shape.planes; ++plane) {
    for (int output_y = 0; output_y < output_height; ++output_y) {
      const int y = reflect_index(output_y - shape.top, shape.height);
      const float* source = input + (plane * shape.height + y) * shape.width;
      float* destination = output + (plane * output_height + output_y) * output_width;
      // The interior is a plain row copy (it vectorises); only the pads reflect.
      for (int output_x = 0; output_x < shape.left; ++output_x)
        destination[output_x] = source[reflect_index(output_x - shape.left, shape.width)];
      std::copy(source, source + shape.width, destination + shape.left);
      for (int output_x = right_begin; output_x < output_width; ++output_x)
        destination[output_x] = source[reflect_index(output_x - shape.left, shape.width)];
    }
  }
}

void reflection_pad_forward(const OpTarget& target, const float* input, const ReflectionPadShape& shape,
                            float* output) {
  if (target.on_cpu()) return reflection_pad_forward_cpu(input, shape, output);
  GENINT_CUDA_CALL(reflection_pad_forward_cuda, input, shape, output, target.stream);
}

}  // namespace genint
