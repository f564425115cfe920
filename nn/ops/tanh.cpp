// tanh's dispatch point: the CPU loop or the CUDA kernel on the target's stream.
#include "nn/ops/tanh.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void tanh_forward(const OpTarget& target, const float* input, std::int64_t count, float* output) {
  if (target.on_cpu()) return tanh_forward_cpu(input, count, output);
  GENINT_CUDA_CALL(tanh_forward_cuda, input, count, output, target.stream);
}

}  // namespace genint
