// CUDA twins of BigGAN-deep's own ops: one thread per output value, in the CPU functions' operation order.
#include "gan/biggan/biggan_ops.h"
#include "nn/core/cuda_check.h"

namespace genint {
namespace {

constexpr int kThreads = 256;

unsigned blocks_for(std::int64_t count) {
  return static_cast<unsigned>((count + kThreads - 1) / kThreads);
}

// One thread per output element: output[image, channel, position] = features[image, position, channel].
__global__ void features_to_nchw_kernel(const float* features, std::int64_t total, int channels, int plane,
                                        float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const std::int64_t per_image = static_cast<std::int64_t>(channels) * plane;
  const std::int64_t image = index / per_image, within = index % per_image;
  const std::int64_t channel = within / plane, position = within % plane;
  output[index] = features[image * per_image + position * channels + channel];
}

__global__ void add_skip_kernel(const float* skip, SkipShape shape, std::int64_t total, float* output) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (index >= total) return;
  const int out_resolution = shape.skip_resolution * shape.factor;
  const std::int64_t out_plane = static_cast<std::int64_t>(out_resolution) * out_resolution;
  const std::int64_t plane = index / out_plane, within = index % out_plane;
  const std::int64_t image = plane / shape.output_channels, channel = plane % shape.output_channels;
  const int row = static_cast<int>(within / out_resolution), column = static_cast<int>(within % out_resolution);
  const std::int64_t skip_plane = static_cast<std::int64_t>(shape.skip_resolution) * shape.skip_resolution;
  const float* source = skip + (image * shape.skip_channels + channel) * skip_plane;
  output[index] += source[(row / shape.factor) * shape.skip_resolution + column / shape.factor];
}

__global__ void add_scaled_kernel(const float* attention_out, float gamma, std::int64_t count, float* activations) {
  const std::int64_t index = static_cast<std::int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  // __fmul_rn/__fadd_rn keep the CPU's separate multiply and add (no FMA contraction).
  if (index < count) activations[index] = __fadd_rn(activations[index], __fmul_rn(gamma, attention_out[index]));
}

}  // namespace

void biggan_features_to_nchw_cuda(const float* features, int batch, int channels, int size, float* output,
                                  void* stream) {
  const int plane = size * size;
  const std::int64_t total = static_cast<std::int64_t>(batch) * channels * plane;
  if (total == 0) return;
  features_to_nchw_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      features, total, channels, plane, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_add_skip_cuda(const float* skip, const SkipShape& shape, float* output, void* stream) {
  const std::int64_t out_resolution = static_cast<std::int64_t>(shape.skip_resolution) * shape.factor;
  const std::int64_t total =
      static_cast<std::int64_t>(shape.batch) * shape.output_channels * out_resolution * out_resolution;
  if (total == 0) return;
  add_skip_kernel<<<blocks_for(total), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(skip, shape, total, output);
  GENINT_CUDA_CHECK_LAUNCH();
}

void biggan_add_scaled_cuda(const float* attention_out, float gamma, std::int64_t count, float* activations,
                            void* stream) {
  if (count == 0) return;
  add_scaled_kernel<<<blocks_for(count), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(attention_out, gamma, count,
                                                                                           activations);
  GENINT_CUDA_CHECK_LAUNCH();
}

}  // namespace genint
