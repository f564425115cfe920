// CUDA reflection padding: one thread per output value, the same reflect_index rule as the CPU twin.
// Copies only, so bit-identical to it.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/reflection_pad.h"
#include "nn/ops/reflection_pad_index.h"

namespace genint {
namespace {

__global__ void reflection_pad_kernel(const float* input, ReflectionPadShape shape, float* output, std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index >= total) return;
  const int output_width = shape.width + shape.left + shape.right;
  const int output_height = shape.height + shape.top + shape.bottom;
  const std::int64_t plane = index / (static_cast<std::int64_t>(output_height) * output_width);
  const auto within = static_cast<int>(index - plane * output_height * output_width);
  const int y = reflect_index(within / output_width - shape.top, shape.height);
  const int x = reflect_index(within % output_width - shape.left, shape.width);
  output[index] = input[(plane * shape.height + y) * shape.width + x];
}

}  // namespace

void reflection_pad_forward_cuda(const float* input, const ReflectionPadShape& shape, float* output, void* stream) {
  check_reflection_pad_shape(shape);
  const std::int64_t total = shape.planes * shape.output_height() * shape.output_width();
  if (total > 0) launch_elementwise(reflection_pad_kernel, total, stream, input, shape, output, total);
}

}  // namespace genint
