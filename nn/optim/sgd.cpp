// SGD's dispatch point: the CPU update or the CUDA kernel on the target's stream.
#include "nn/optim/sgd.h"

#include "nn/core/cuda_backend.h"

namespace genint {

void sgd_step(const OpTarget& target, const SgdOptions& options, float learning_rate, std::int64_t count,
              float* parameters, const float* gradients, float* momentum_buffer, bool first_step) {
  if (target.on_cpu())
    return sgd_step_cpu(options, learning_rate, count, parameters, gradients, momentum_buffer, first_step);
  GENINT_CUDA_CALL(sgd_step_cuda, options, learning_rate, count, parameters, gradients, momentum_buffer, first_step,
                   target.stream);
}

}  // namespace genint
