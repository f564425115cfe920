// The bfloat16 conversions' dispatch point: the CPU loops or the CUDA kernels on the target's stream.
#include "nn/ops/bfloat16_convert.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void float_to_bfloat16(const OpTarget& target, const float* input, std::int64_t count, std::uint16_t* output) {
  if (target.on_cpu()) return float_to_bfloat16_cpu(input, count, output);
  GENINT_CUDA_CALL(float_to_bfloat16_cuda, input, count, output, target.stream);
}

void bfloat16_to_float(const OpTarget& target, const std::uint16_t* input, std::int64_t count, float* output) {
  if (target.on_cpu()) return bfloat16_to_float_cpu(input, count, output);
  GENINT_CUDA_CALL(bfloat16_to_float_cuda, input, count, output, target.stream);
}

}  // namespace genint
