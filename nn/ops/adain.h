// Adaptive instance normalisation (Huang & Belongie 2017) as pytorch-AdaIN computes it: per-plane statistics of
// NCHW features, the transform that moves a content plane's mean and spread onto a style's, and the output clamp.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// pytorch-AdaIN's calc_mean_std: eps inside the root, added to torch's default (UNBIASED, n − 1) variance.
constexpr float kAdaINEpsilon = 1e-5f;

struct AdaINShape {
  int batch = 0;     // content images
  int channels = 0;  // feature channels
  int height = 0;    // feature plane
  int width = 0;
  int style_batch = 1;  // style statistics rows: 1 (shared by every content) or batch (one per content)

  std::int64_t plane_size() const { return static_cast<std::int64_t>(height) * width; }
};

// Throws genint::Error naming the bad field: sizes must be positive, a plane must hold at least 2 values (the
// unbiased variance divides by n − 1) and style_batch must be 1 or batch.
void check_adain_shape(const AdaINShape& shape);

// Per plane p of features [planes, plane_size]: mean[p] = Σx/n and sigma[p] = sqrt(Σ(x − mean)²/(n − 1) + eps),
// both sums in double over the plane in index order (CPU) and in a fixed tree (CUDA), rounded once to float.
void adain_statistics_cpu(const float* features, std::int64_t planes, std::int64_t plane_size, float* mean,
                          float* sigma);
// output = α·t + (1 − α)·content with t = style_sigma·(content − content_mean)/content_sigma + style_mean, per
// plane; statistics are [batch or style_batch, channels]. α = 0 returns the content exactly. output may alias
// content.
void adain_transform_cpu(const float* content, const float* content_mean, const float* content_sigma,
                         const float* style_mean, const float* style_sigma, const AdaINShape& shape, float alpha,
                         float* output);
// values[i] = min(max(values[i], 0), 1) in place (the decoded image, as pytorch-AdaIN's output.clamp(0, 1)).
void clamp_unit_interval_cpu(float* values, std::int64_t count);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void adain_statistics_cuda(const float* features, std::int64_t planes, std::int64_t plane_size, float* mean,
                           float* sigma, void* stream);
void adain_transform_cuda(const float* content, const float* content_mean, const float* content_sigma,
                          const float* style_mean, const float* style_sigma, const AdaINShape& shape, float alpha,
                          float* output, void* stream);
void clamp_unit_interval_cuda(float* values, std::int64_t count, void* stream);

// Dispatch points: the CPU functions, or their CUDA twins on target.stream.
void adain_statistics(const OpTarget& target, const float* features, std::int64_t planes, std::int64_t plane_size,
                      float* mean, float* sigma);
void adain_transform(const OpTarget& target, const float* content, const float* content_mean,
                     const float* content_sigma, const float* style_mean, const float* style_sigma,
                     const AdaINShape& shape, float alpha, float* output);
void clamp_unit_interval(const OpTarget& target, float* values, std::int64_t count);

}  // namespace genint
