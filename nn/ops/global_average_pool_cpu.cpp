// CPU twin of global average pooling: one plane per iteration, summed in double, planes split across threads.
// The truth the CUDA kernels are compared against; the dispatch points at the end run it or them by OpTarget.
#include "nn/core/cuda_backend.h"
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

void global_average_pool_forward(const OpTarget& target, const float* input, std::int64_t planes, int spatial,
                                 float* output) {
  if (target.on_cpu()) return global_average_pool_forward_cpu(input, planes, spatial, output);
  GENINT_CUDA_CALL(global_average_pool_forward_cuda, input, planes, spatial, output, target.stream);
}

void global_average_pool_backward(const OpTarget& target, const float* grad_output, std::int64_t planes, int spatial,
                                  float* grad_input) {
  if (target.on_cpu()) return global_average_pool_backward_cpu(grad_output, planes, spatial, grad_input);
  GENINT_CUDA_CALL(global_average_pool_backward_cuda, grad_output, planes, spatial, grad_input, target.stream);
}

}  // namespace genint
