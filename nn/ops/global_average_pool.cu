// CUDA global average pooling: one warp per plane sums in double with a fixed shuffle tree (deterministic);
// the backward broadcasts grad/spatial with one thread per input value.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/global_average_pool.h"

namespace genint {
namespace {

constexpr int kWarp = 32;

__global__ void global_average_pool_forward_kernel(const float* input, std::int64_t planes, int spatial,
                                                   float* output) {
  const std::int64_t plane = flat_thread_index() / kWarp;
  const int lane = static_cast<int>(threadIdx.x % kWarp);
  if (plane >= planes) return;  // whole warps leave together: planes are warp-aligned
  const float* values = input + plane * spatial;
  double sum = 0.0;
  for (int position = lane; position < spatial; position += kWarp) sum += values[position];
  for (int offset = kWarp / 2; offset > 0; offset /= 2) sum += __shfl_down_sync(0xffffffffU, sum, offset);
  if (lane == 0) output[plane] = static_cast<float>(sum / spatial);
}

__global__ void global_average_pool_backward_kernel(const float* grad_output, int spatial, float inverse_spatial,
                                                    float* grad_input, std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index < total) grad_input[index] = grad_output[index / spatial] * inverse_spatial;
}

}  // namespace

void global_average_pool_forward_cuda(const float* input, std::int64_t planes, int spatial, float* output,
                                      void* stream) {
  GENINT_CHECK(planes >= 0 && spatial > 0, "global_average_pool_forward_cuda: planes must be ≥ 0 and spatial > 0");
  if (planes == 0) return;
  launch_elementwise(global_average_pool_forward_kernel, planes * kWarp, stream, input, planes, spatial, output);
}

void global_average_pool_backward_cuda(const float* grad_output, std::int64_t planes, int spatial, float* grad_input,
                                       void* stream) {
  GENINT_CHECK(planes >= 0 && spatial > 0, "global_average_pool_backward_cuda: planes must be ≥ 0 and spatial > 0");
  const std::int64_t total = planes * spatial;
  if (total > 0)
    launch_elementwise(global_average_pool_backward_kernel, total, stream, grad_output, spatial,
                       1.0f / static_cast<float>(spatial), grad_input, total);
}

}  // namespace genint
