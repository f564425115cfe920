// CPU twin of global average pooling: one plane per iteration, summed in double, planes split across threads.
// It is the truth the CUDA kernels are compared against.
#include "nn/core/error.h"
#include "nn/ops/global_average_pool.h"

namespace genint {

void global_average_pool_forward_cpu(const float* input, std::int64_t planes, int spatial, float* output) {
  GENINT_CHECK(planes >= 0 && spatial > 0, "global_average_pool_forward: planes must be ≥ 0 and spatial > 0");
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const float* values = input + plane * spatial;
    double sum = 0.0;
    for (int position = 0; position < spatial; ++position) sum += values[position];
    output[plane] = static_cast<float>(sum / spatial);
  }
}

void global_average_pool_backward_cpu(const float* grad_output, std::int64_t planes, int spatial, float* grad_input) {
  GENINT_CHECK(planes >= 0 && spatial > 0, "global_average_pool_backward: planes must be ≥ 0 and spatial > 0");
  const float inverse_spatial = 1.0f / static_cast<float>(spatial);
#pragma omp parallel for schedule(static)
  for (std::int64_t plane = 0; plane < planes; ++plane) {
    const float share = grad_output[plane] * inverse_spatial;
    float* destination = grad_input + plane * spatial;
    for (int position = 0; position < spatial; ++position) destination[position] = share;
  }
}

}  // namespace genint
