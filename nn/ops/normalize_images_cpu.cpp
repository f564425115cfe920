// CPU twin of normalize_images: one fused multiply-add per value, images split across OpenMP threads.
// It is also the reference the CUDA kernel is held to; the dispatch point at the end runs one or the other.
#include <cmath>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/normalize_images.h"

namespace genint {

NormalizationAffine normalization_affine(const ImageNormalization& normalization) {
  NormalizationAffine affine{};
  for (int channel = 0; channel < 3; ++channel) {
    GENINT_CHECK(normalization.std[channel] > 0.0f, "normalization std must be positive");
    affine.scale[channel] = 1.0f / (255.0f * normalization.std[channel]);
    affine.shift[channel] = -normalization.mean[channel] / normalization.std[channel];
  }
  return affine;
}

void normalize_images_cpu(const std::uint8_t* images, std::int64_t count, int height, int width,
                          const ImageNormalization& normalization, float* output) {
  GENINT_CHECK(count >= 0 && height > 0 && width > 0, "normalize_images: bad shape");
  const NormalizationAffine affine = normalization_affine(normalization);
  const std::int64_t plane = static_cast<std::int64_t>(height) * width;
#pragma omp parallel for schedule(static)
  for (std::int64_t image = 0; image < count; ++image) {
    const std::uint8_t* source = images + image * plane * 3;
    float* destination = output + image * plane * 3;
    for (int channel = 0; channel < 3; ++channel) {
      float* channel_plane = destination + channel * plane;
      for (std::int64_t pixel = 0; pixel < plane; ++pixel) {
        channel_plane[pixel] =
            std::fma(static_cast<float>(source[pixel * 3 + channel]), affine.scale[channel], affine.shift[channel]);
      }
    }
  }
}

void normalize_images(const OpTarget& target, const std::uint8_t* images, std::int64_t count, int height, int width,
                      const ImageNormalization& normalization, float* output) {
  if (target.on_cpu()) return normalize_images_cpu(images, count, height, width, normalization, output);
  GENINT_CUDA_CALL(normalize_images_cuda, images, count, height, width, normalization, output, target.stream);
}

}  // namespace genint
