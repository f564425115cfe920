// AdaIN's dispatch points: the CPU loops or the CUDA kernels on the target's stream.
// Shapes are checked in the CPU and CUDA functions themselves.
#include "nn/ops/adain.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void adain_statistics(const OpTarget& target, const float* features, std::int64_t planes, std::int64_t plane_size,
                      float* mean, float* sigma) {
  if (target.on_cpu()) return adain_statistics_cpu(features, planes, plane_size, mean, sigma);
  GENINT_CUDA_CALL(adain_statistics_cuda, features, planes, plane_size, mean, sigma, target.stream);
}

void adain_transform(const OpTarget& target, const float* content, const float* content_mean,
                     const float* content_sigma, const float* style_mean, const float* style_sigma,
                     const AdaINShape& shape, float alpha, float* output) {
  if (target.on_cpu())
    return adain_transform_cpu(content, content_mean, content_sigma, style_mean, style_sigma, shape, alpha, output);
  GENINT_CUDA_CALL(adain_transform_cuda, content, content_mean, content_sigma, style_mean, style_sigma, shape, alpha,
                   output, target.stream);
}

void clamp_unit_interval(const OpTarget& target, float* values, std::int64_t count) {
  if (target.on_cpu()) return clamp_unit_interval_cpu(values, count);
  GENINT_CUDA_CALL(clamp_unit_interval_cuda, values, count, target.stream);
}

}  // namespace genint
