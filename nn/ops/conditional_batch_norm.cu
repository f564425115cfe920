// CUDA conditional batch norm (BigGAN eval forward) with an optional fused ReLU: one block row per (image, channel)
// plane, so the statistics and the sample's gain/bias are read once per block and no index is divided per element.
// In the CPU twin's operation order (nvcc may fuse the last multiply-add: ≤ 1 ulp); float32 or bfloat16 storage.
#include <cuda_bf16.h>

#include <algorithm>

#include "nn/core/cuda_check.h"
#include "nn/ops/conditional_batch_norm.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

__device__ float load(const float* values, std::int64_t index) {
  return values[index];
}
__device__ float load(const __nv_bfloat16* values, std::int64_t index) {
  return __bfloat162float(values[index]);
}
__device__ void store(float* values, std::int64_t index, float value) {
  values[index] = value;
}
__device__ void store(__nv_bfloat16* values, std::int64_t index, float value) {
  values[index] = __float2bfloat16_rn(value);
}

// blockIdx.x: the plane (image · channels + channel); blockIdx.y and the threads stride over its positions.
template <typename Input, typename Output>
__global__ void conditional_batch_norm_kernel(const Input* input, ConditionalBatchNormShape shape,
                                              ConditionalBatchNormParameters parameters, Output* output) {
  const std::int64_t plane = blockIdx.x;
  const auto channel = static_cast<int>(plane % shape.channels);
  const float mean = parameters.mean[channel];
  const float root = sqrtf(parameters.var[channel] + parameters.eps);
  const float gain = parameters.gain[plane], bias = parameters.bias[plane];
  const std::int64_t base = plane * shape.spatial;
  for (int position = static_cast<int>(blockIdx.y * blockDim.x + threadIdx.x); position < shape.spatial;
       position += static_cast<int>(gridDim.y * blockDim.x)) {
    float value = (load(input, base + position) - mean) / root * gain + bias;
    if (parameters.relu) value = value < 0.0f ? 0.0f : value;  // NaN passes, as relu_forward_cpu
    store(output, base + position, value);
  }
}

template <typename Input, typename Output>
void launch(const Input* input, const ConditionalBatchNormShape& shape,
            const ConditionalBatchNormParameters& parameters, Output* output, void* stream) {
  check_conditional_batch_norm_shape(shape, parameters.eps);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
  if (planes == 0) return;
  const dim3 grid(static_cast<unsigned>(planes),
                  static_cast<unsigned>(std::min((shape.spatial + kThreads - 1) / kThreads, 1024)));
  conditional_batch_norm_kernel<<<grid, kThreads, 0, static_cast<cudaStream_t>(stream)>>>(input, shape, parameters,
                                                                                         output);
  GENINT_CUDA_CHECK_LAUNCH();
}

const __nv_bfloat16* as_bfloat16(const std::uint16_t* values) {
  return reinterpret_cast<const __nv_bfloat16*>(values);
}
__nv_bfloat16* as_bfloat16(std::uint16_t* values) {
  return reinterpret_cast<__nv_bfloat16*>(values);
}

}  // namespace

void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, float* output,
                                         void* stream) {
  launch(input, shape, parameters, output, stream);
}

void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, std::uint16_t* output,
                                         void* stream) {
  launch(input, shape, parameters, as_bfloat16(output), stream);
}

void conditional_batch_norm_forward_cuda(const std::uint16_t* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, std::uint16_t* output,
                                         void* stream) {
  launch(as_bfloat16(input), shape, parameters, as_bfloat16(output), stream);
}

}  // namespace genint
