// Nearest upsampling's dispatch point: the CPU copy or the CUDA kernel on the target's stream.
#include "nn/ops/upsample.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void upsample_nearest_forward(const OpTarget& target, const float* input, std::int64_t planes, int height, int width,
                              int factor, float* output) {
  if (target.on_cpu()) return upsample_nearest_forward_cpu(input, planes, height, width, factor, output);
  GENINT_CUDA_CALL(upsample_nearest_forward_cuda, input, planes, height, width, factor, output, target.stream);
}

void upsample_nearest_forward(const OpTarget& target, const std::uint16_t* input, std::int64_t planes, int height,
                              int width, int factor, std::uint16_t* output) {
  if (target.on_cpu()) return upsample_nearest_forward_cpu(input, planes, height, width, factor, output);
  GENINT_CUDA_CALL(upsample_nearest_forward_cuda, input, planes, height, width, factor, output, target.stream);
}

}  // namespace genint
