// CUDA AdaIN: statistics one block per plane (double partial sums per thread in index-strided order, then a fixed
// tree: deterministic, within double rounding of the CPU's sequential sums); transform and clamp one thread per
// value with the CPU's operations in its order, unfused (no FMA), so they match the CPU bit for bit.
#include <cmath>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/adain.h"
#include "nn/ops/block_reduce.cuh"
#include "nn/ops/elementwise_launch.cuh"

namespace genint {
namespace {

constexpr int kStatisticsThreads = 256;

__global__ void adain_statistics_kernel(const float* features, std::int64_t plane_size, float* mean, float* sigma) {
  __shared__ double scratch[kStatisticsThreads];
  const float* values = features + static_cast<std::int64_t>(blockIdx.x) * plane_size;
  const auto add = [](double first, double second) { return first + second; };
  double sum = 0.0;
  for (std::int64_t index = threadIdx.x; index < plane_size; index += kStatisticsThreads) sum += values[index];
  const double plane_mean = block_reduce<kStatisticsThreads>(sum, scratch, add) / static_cast<double>(plane_size);
  double squares = 0.0;
  for (std::int64_t index = threadIdx.x; index < plane_size; index += kStatisticsThreads) {
    const double deviation = values[index] - plane_mean;
    squares += deviation * deviation;
  }
  const double total_squares = block_reduce<kStatisticsThreads>(squares, scratch, add);
  if (threadIdx.x == 0) {
    const double variance = total_squares / static_cast<double>(plane_size - 1);  // unbiased, as torch's .var()
    mean[blockIdx.x] = static_cast<float>(plane_mean);
    sigma[blockIdx.x] = static_cast<float>(sqrt(variance + static_cast<double>(kAdaINEpsilon)));
  }
}

__global__ void adain_transform_kernel(const float* content, const float* content_mean, const float* content_sigma,
                                       const float* style_mean, const float* style_sigma, AdaINShape shape,
                                       std::int64_t plane_size, float alpha, float* output, std::int64_t total) {
  const std::int64_t index = flat_thread_index();
  if (index >= total) return;
  const std::int64_t plane = index / plane_size;
  const std::int64_t style_plane = shape.style_batch == 1 ? plane % shape.channels : plane;
  const float value = content[index];
  // The CPU twin's expression, each step rounded on its own (the _rn intrinsics are never contracted into FMAs).
  const float normalized = __fdiv_rn(__fsub_rn(value, content_mean[plane]), content_sigma[plane]);
  const float transferred = __fadd_rn(__fmul_rn(normalized, style_sigma[style_plane]), style_mean[style_plane]);
  output[index] = __fadd_rn(__fmul_rn(transferred, alpha), __fmul_rn(value, __fsub_rn(1.0f, alpha)));
}

__global__ void clamp_unit_interval_kernel(float* values, std::int64_t count) {
  const std::int64_t index = flat_thread_index();
  if (index >= count) return;
  // std::min(std::max(v, 0), 1) as the CPU writes it: NaN passes through (fminf/fmaxf would drop it).
  const float value = values[index];
  const float low = value < 0.0f ? 0.0f : value;
  values[index] = 1.0f < low ? 1.0f : low;
}

}  // namespace

void adain_statistics_cuda(const float* features, std::int64_t planes, std::int64_t plane_size, float* mean,
                           float* sigma, void* stream) {
  GENINT_CHECK(planes > 0 && planes <= 0x7FFFFFFF,
               "adain_statistics: planes must lie in [1, 2^31), got " + std::to_string(planes));
  GENINT_CHECK(plane_size >= 2, "adain_statistics: a plane needs at least 2 values for the unbiased variance, got " +
                                    std::to_string(plane_size));
  adain_statistics_kernel<<<static_cast<unsigned>(planes), kStatisticsThreads, 0,
                            static_cast<cudaStream_t>(stream)>>>(features, plane_size, mean, sigma);
  GENINT_CUDA_CHECK_LAUNCH();
}

void adain_transform_cuda(const float* content, const float* content_mean, const float* content_sigma,
                          const float* style_mean, const float* style_sigma, const AdaINShape& shape, float alpha,
                          float* output, void* stream) {
  check_adain_shape(shape);
  GENINT_CHECK(std::isfinite(alpha), "adain: alpha must be finite");
  const std::int64_t total = static_cast<std::int64_t>(shape.batch) * shape.channels * shape.plane_size();
  launch_elementwise(adain_transform_kernel, total, stream, content, content_mean, content_sigma, style_mean,
                     style_sigma, shape, shape.plane_size(), alpha, output, total);
}

void clamp_unit_interval_cuda(float* values, std::int64_t count, void* stream) {
  if (count > 0) launch_elementwise(clamp_unit_interval_kernel, count, stream, values, count);
}

}  // namespace genint
