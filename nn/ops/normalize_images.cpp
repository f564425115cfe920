// Image normalization's dispatch point: the CPU loop or the CUDA kernel on the target's stream.
#include "nn/ops/normalize_images.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void normalize_images(const OpTarget& target, const std::uint8_t* images, std::int64_t count, int height, int width,
                      const ImageNormalization& normalization, float* output) {
  if (target.on_cpu()) return normalize_images_cpu(images, count, height, width, normalization, output);
  GENINT_CUDA_CALL(normalize_images_cuda, images, count, height, width, normalization, output, target.stream);
}

}  // namespace genint
