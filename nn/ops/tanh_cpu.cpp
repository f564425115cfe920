// CPU twin of tanh over a flat array, split across OpenMP threads.
// The truth the CUDA kernel is compared against.
#include <cmath>

#include "nn/core/error.h"
#include "nn/ops/tanh.h"

namespace genint {

void tanh_forward_cpu(const float* input, std::int64_t count, float* output) {
  GENINT_CHECK(count >= 0, "tanh_forward: negative count");
#pragma omp parallel for schedule(static)
  for (std::int64_t index = 0; index < count; ++index) output[index] = std::tanh(input[index]);
}

}  // namespace genint
