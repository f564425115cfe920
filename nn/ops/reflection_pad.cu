// CUDA reflection padding: one thread per output value, the same reflect_index rule as the CPU twin.
// Copies only, so bit-identical to it.
#include "nn/core/cuda_check.h"
#include "nn/ops/reflection_pad.h"
#include "nn/ops/reflection_pad_index.h"

namespace genint {
namespace {

__global__ void reflection_pad_kernel(const float* input, ReflectionPadShape shape, float* output, std::int64_t total) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
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
  if (total == 0) return;
  constexpr int threads = 256;
  const auto blocks = static_cast<unsigned>((total + threads - 1) / threads);
  reflection_pad_kernel<<<blocks, threads, 0, static_cast<cudaStream_t>(stream)>>>(input, shape, output, total);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
