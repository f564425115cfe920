// CUDA tanh: one thread per value with CUDA's tanhf (≤ 2 ulp), so within a few ulps of the CPU twin.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/tanh.h"

namespace genint {
namespace {

__global__ void tanh_kernel(const float* input, std::int64_t count, float* output) {
  const std::int64_t index = flat_thread_index();
  if (index < count) output[index] = tanhf(input[index]);
}

}  // namespace

void tanh_forward_cuda(const float* input, std::int64_t count, float* output, void* stream) {
  GENINT_CHECK(count >= 0, "tanh_forward_cuda: negative count");
  if (count > 0) launch_elementwise(tanh_kernel, count, stream, input, count, output);
}

}  // namespace genint
