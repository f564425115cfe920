// CPU twin of BigGAN's conditional batch norm (eval statistics, per-sample gain and bias).
// Evaluated in the reference's operation order so the float32 results track PyTorch closely.
#include <cmath>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/conditional_batch_norm.h"

namespace genint {

void check_conditional_batch_norm_shape(const ConditionalBatchNormShape& shape, float eps) {
  GENINT_CHECK(shape.batch >= 0 && shape.channels > 0 && shape.spatial > 0,
               "conditional_batch_norm: batch must be ≥ 0, channels and spatial > 0 (got " +
                   std::to_string(shape.batch) + ", " + std::to_string(shape.channels) + ", " +
                   std::to_string(shape.spatial) + ")");
  GENINT_CHECK(eps > 0.0f, "conditional_batch_norm: eps must be positive (got " + std::to_string(eps) + ")");
}

void conditional_batch_norm_forward_cpu(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                        const float* var, const float* gain, const float* bias, float eps,
                                        float* output) {
  check_conditional_batch_norm_shape(shape, eps);
  const std::int64_t planes = static_cast<std::int64_t>(shape.batch) * shape.channels;
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const auto channel = static_cast<int>(plane % shape.channels);
    const float root = std::sqrt(var[channel] + eps);
    const float* source = input + plane * shape.spatial;
    float* destination = output + plane * shape.spatial;
    for (int position = 0; position < shape.spatial; ++position) {
      destination[position] = (source[position] - mean[channel]) / root * gain[plane] + bias[plane];
    }
  }
}

}  // namespace genint
