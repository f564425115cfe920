// CUDA residual add: one thread per value; the backward is two device-to-device copies on the stream.
// One correctly rounded add per value, so bit-identical to the CPU twin.
#include "nn/core/cuda_check.h"
#include "nn/ops/residual_add.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

__global__ void residual_add_kernel(const float* first, const float* second, std::int64_t count, float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index < count) output[index] = first[index] + second[index];
}

}  // namespace

void residual_add_forward_cuda(const float* first, const float* second, std::int64_t count, float* output,
                               void* stream) {
  GENINT_CHECK(count >= 0, "residual_add_forward_cuda: negative count");
  if (count == 0) return;
  const auto blocks = static_cast<unsigned>((count + kThreads - 1) / kThreads);
  residual_add_kernel<<<blocks, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(first, second, count, output);
  GENINT_CUDA_CHECK_LAUNCH();
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
