// CUDA residual add: one thread per value; the backward is two device-to-device copies on the stream.
// One correctly rounded add per value, so bit-identical to the CPU twin.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/residual_add.h"

namespace genint {
namespace {

__global__ void residual_add_kernel(const float* first, const float* second, std::int64_t count, float* output) {
  const std::int64_t index = flat_thread_index();
  if (index < count) output[index] = first[index] + second[index];
}

}  // namespace

void residual_add_forward_cuda(const float* first, const float* second, std::int64_t count, float* output,
                               void* stream) {
  GENINT_CHECK(count >= 0, "residual_add_forward_cuda: negative count");
  if (count > 0) launch_elementwise(residual_add_kernel, count, stream, first, second, count, output);
}

void residual_add_backward_cuda(const float* grad_output, std::int64_t count, float* grad_first, float* grad_second,
                                void* stream) {
  GENINT_CHECK(count >= 0, "residual_add_backward_cuda: negative count");
  const auto bytes = static_cast<std::size_t>(count) * sizeof(float);
  auto* cuda_stream = static_cast<cudaStream_t>(stream);
  if (grad_first != nullptr && grad_first != grad_output)
    GENINT_CUDA_CHECK(cudaMemcpyAsync(grad_first, grad_output, bytes, cudaMemcpyDeviceToDevice, cuda_stream));
  if (grad_second != nullptr && grad_second != grad_output)
    GENINT_CUDA_CHECK(cudaMemcpyAsync(grad_second, grad_output, bytes, cudaMemcpyDeviceToDevice, cuda_stream));
}

}  // namespace genint
