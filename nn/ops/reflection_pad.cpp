// Reflection padding's dispatch point: the CPU loops or the CUDA kernel on the target's stream.
#include "nn/ops/reflection_pad.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void reflection_pad_forward(const OpTarget& target, const float* input, const ReflectionPadShape& shape,
                            float* output) {
  if (target.on_cpu()) return reflection_pad_forward_cpu(input, shape, output);
  GENINT_CUDA_CALL(reflection_pad_forward_cuda, input, shape, output, target.stream);
}

}  // namespace genint
