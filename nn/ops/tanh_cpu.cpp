// CPU twin of tanh over a flat array, split across OpenMP threads: the truth the CUDA kernel is compared
// against. The dispatch point at the end runs it or the kernel by OpTarget.
#include <cmath>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/tanh.h"

namespace genint {

void tanh_forward_cpu(const float* input, std::int64_t count, float* output) {
  GENINT_CHECK(count >= 0, "tanh_forward: negative count");
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) output[index] = std::tanh(input[index]);
}

void tanh_forward(const OpTarget& target, const float* input, std::int64_t count, float* output) {
  if (target.on_cpu()) return tanh_forward_cpu(input, count, output);
  GENINT_CUDA_CALL(tanh_forward_cuda, input, count, output, target.stream);
}

}  // namespace genint
