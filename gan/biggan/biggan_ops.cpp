// Dispatch points of BigGAN-deep's own ops: the CPU functions or their CUDA twins on the target's stream.
#include "gan/biggan/biggan_ops.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void biggan_features_to_nchw(const OpTarget& target, const float* features, int batch, int channels, int size,
                             float* output) {
  if (target.on_cpu()) return biggan_features_to_nchw_cpu(features, batch, channels, size, output);
  GENINT_CUDA_CALL(biggan_features_to_nchw_cuda, features, batch, channels, size, output, target.stream);
}

void biggan_add_skip(const OpTarget& target, const float* skip, const SkipShape& shape, float* output) {
  if (target.on_cpu()) return biggan_add_skip_cpu(skip, shape, output);
  GENINT_CUDA_CALL(biggan_add_skip_cuda, skip, shape, output, target.stream);
}

void biggan_add_scaled(const OpTarget& target, const float* attention_out, float gamma, std::int64_t count,
                       float* activations) {
  if (target.on_cpu()) return biggan_add_scaled_cpu(attention_out, gamma, count, activations);
  GENINT_CUDA_CALL(biggan_add_scaled_cuda, attention_out, gamma, count, activations, target.stream);
}

}  // namespace genint
