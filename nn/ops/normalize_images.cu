// CUDA normalize_images: one thread per pixel reads its 3 bytes and writes one value to each plane.
// fmaf with the host-computed affine makes the result bit-identical to the CPU twin.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/normalize_images.h"

namespace genint {
namespace {

__global__ void normalize_images_kernel(const std::uint8_t* images, std::int64_t total_pixels, std::int64_t plane,
                                        NormalizationAffine affine, float* output) {
  const std::int64_t pixel = flat_thread_index();
  if (pixel >= total_pixels) return;
  const std::int64_t image = pixel / plane;
  const std::int64_t within = pixel - image * plane;
  float* destination = output + image * plane * 3 + within;
#pragma unroll
  for (int channel = 0; channel < 3; ++channel) {
    destination[channel * plane] =
        fmaf(static_cast<float>(images[pixel * 3 + channel]), affine.scale[channel], affine.shift[channel]);
  }
}

}  // namespace

void normalize_images_cuda(const std::uint8_t* device_images, std::int64_t count, int height, int width,
                           const ImageNormalization& normalization, float* device_output, void* stream) {
  GENINT_CHECK(count >= 0 && height > 0 && width > 0, "normalize_images: bad shape");
  if (count == 0) return;
  const NormalizationAffine affine = normalization_affine(normalization);
  const std::int64_t plane = static_cast<std::int64_t>(height) * width;
  const std::int64_t total_pixels = count * plane;
  launch_elementwise(normalize_images_kernel, total_pixels, stream, device_images, total_pixels, plane, affine,
                     device_output);
}

}  // namespace genint
