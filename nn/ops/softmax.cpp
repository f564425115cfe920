// Softmax's dispatch point: the CPU loop or the CUDA kernel on the target's stream.
#include "nn/ops/softmax.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void softmax_forward(const OpTarget& target, const float* input, std::int64_t rows, int columns, float* output) {
  if (target.on_cpu()) return softmax_forward_cpu(input, rows, columns, output);
  GENINT_CUDA_CALL(softmax_forward_cuda, input, rows, columns, output, target.stream);
}

}  // namespace genint
