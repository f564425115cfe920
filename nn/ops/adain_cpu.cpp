// CPU twin of AdaIN: per-plane mean and unbiased sigma in double (two passes, so a large mean costs no precision),
// the transform in pytorch-AdaIN's order, the [0, 1] clamp: the truth the CUDA kernels mirror. Dispatch points last.
#include <algorithm>
#include <cmath>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/adain.h"

namespace genint {

void check_adain_shape(const AdaINShape& shape) {
  const std::string sizes = "(batch " + std::to_string(shape.batch) + ", channels " + std::to_string(shape.channels) +
                            ", " + std::to_string(shape.height) + "×" + std::to_string(shape.width) + ", style_batch " +
                            std::to_string(shape.style_batch) + ")";
  GENINT_CHECK(shape.batch > 0 && shape.channels > 0 && shape.height > 0 && shape.width > 0,
               "adain: sizes must be positive " + sizes);
  GENINT_CHECK(shape.plane_size() >= 2,
               "adain: a feature plane needs at least 2 values for the unbiased variance " + sizes);
  GENINT_CHECK(shape.style_batch == 1 || shape.style_batch == shape.batch,
               "adain: style_batch must be 1 or the content batch " + sizes);
}

void adain_statistics_cpu(const float* features, std::int64_t planes, std::int64_t plane_size, float* mean,
                          float* sigma) {
  GENINT_CHECK(planes > 0, "adain_statistics: planes must be positive, got " + std::to_string(planes));
  GENINT_CHECK(plane_size >= 2, "adain_statistics: a plane needs at least 2 values for the unbiased variance, got " +
                                    std::to_string(plane_size));
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const float* values = features + plane * plane_size;
    double sum = 0.0;
    for (std::int64_t index = 0; index < plane_size; ++index) sum += values[index];
    const double plane_mean = sum / static_cast<double>(plane_size);
    double squares = 0.0;
    for (std::int64_t index = 0; index < plane_size; ++index) {
      const double deviation = values[index] - plane_mean;
      squares += deviation * deviation;
    }
    const double variance = squares / static_cast<double>(plane_size - 1);  // unbiased, as torch's .var()
    mean[plane] = static_cast<float>(plane_mean);
    sigma[plane] = static_cast<float>(std::sqrt(variance + static_cast<double>(kAdaINEpsilon)));
  }
}

void adain_transform_cpu(const float* content, const float* content_mean, const float* content_sigma,
                         const float* style_mean, const float* style_sigma, const AdaINShape& shape, float alpha,
                         float* output) {
  check_adain_shape(shape);
  GENINT_CHECK(std::isfinite(alpha), "adain: alpha must be finite");
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
  const std::int64_t plane_size = shape.plane_size();
  const float keep = 1.0f - alpha;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const std::int64_t style_plane = shape.style_batch == 1 ? plane % shape.channels : plane;
    const float c_mean = content_mean[plane], c_sigma = content_sigma[plane];
    const float s_mean = style_mean[style_plane], s_sigma = style_sigma[style_plane];
    const float* values = content + plane * plane_size;
    float* destination = output + plane * plane_size;
    for (std::int64_t index = 0; index < plane_size; ++index) {
      // pytorch-AdaIN: ((x − μc)/σc)·σs + μs, then feat·α + content·(1 − α); separate roundings, as the CUDA twin.
      const float value = values[index];
      const float normalized = (value - c_mean) / c_sigma;
      const float transferred = normalized * s_sigma + s_mean;
      const float weighted_transfer = transferred * alpha;
      const float weighted_content = value * keep;
      destination[index] = weighted_transfer + weighted_content;
    }
  }
}

void clamp_unit_interval_cpu(float* values, std::int64_t count) {
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) values[index] = std::min(std::max(values[index], 0.0f), 1.0f);
}

// The dispatch points: shapes are checked in the CPU and CUDA functions themselves.
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
