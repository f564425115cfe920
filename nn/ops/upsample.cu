// CUDA nearest-neighbour integer upsampling: one thread per output value reads its source value.
// Copies only (float32 or bfloat16 bit patterns alike), so bit-identical to the CPU twin.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/upsample.h"

namespace genint {
namespace {

template <typename Value>
__global__ void upsample_nearest_kernel(const Value* input, int height, int width, int factor, Value* output,
                                        std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index >= total) return;
  const std::int64_t output_width = static_cast<std::int64_t>(width) * factor;
  const std::int64_t output_plane = output_width * height * factor;
  const std::int64_t plane = index / output_plane;
  const std::int64_t within = index - plane * output_plane;
  const std::int64_t y = within / output_width / factor;
  const std::int64_t x = within % output_width / factor;
  output[index] = input[(plane * height + y) * width + x];
}

template <typename Value>
void launch(const Value* input, std::int64_t planes, int height, int width, int factor, Value* output, void* stream) {
  check_upsample_shape(planes, height, width, factor);
  const std::int64_t total = planes * height * factor * width * factor;
  if (total > 0)
    launch_elementwise(upsample_nearest_kernel<Value>, total, stream, input, height, width, factor, output, total);
}

}  // namespace

void upsample_nearest_forward_cuda(const float* input, std::int64_t planes, int height, int width, int factor,
                                   float* output, void* stream) {
  launch(input, planes, height, width, factor, output, stream);
}

void upsample_nearest_forward_cuda(const std::uint16_t* input, std::int64_t planes, int height, int width, int factor,
                                   std::uint16_t* output, void* stream) {
  launch(input, planes, height, width, factor, output, stream);
}

}  // namespace genint
