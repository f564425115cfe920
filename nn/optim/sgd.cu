// CUDA SGD update: one thread per parameter, the same formula and operation order as sgd_step_cpu.
// __fmul_rn/__fadd_rn keep nvcc from fusing into FMAs, so results match the CPU twin bit for bit.
#include "nn/ops/elementwise_launch.cuh"
#include "nn/optim/sgd.h"

namespace genint {
namespace {

__global__ void sgd_kernel(float learning_rate, float momentum, float weight_decay, bool nesterov, bool first_step,
                           std::int64_t count, float* parameters, const float* gradients, float* momentum_buffer) {
  const std::int64_t index = flat_thread_index();
  if (index >= count) return;
  const float parameter = parameters[index];
  float step = __fadd_rn(gradients[index], __fmul_rn(weight_decay, parameter));
  if (momentum_buffer != nullptr) {
    const float buffer = first_step ? step : __fadd_rn(__fmul_rn(momentum_buffer[index], momentum), step);
    momentum_buffer[index] = buffer;
    step = nesterov ? __fadd_rn(step, __fmul_rn(momentum, buffer)) : buffer;
  }
  parameters[index] = __fsub_rn(parameter, __fmul_rn(learning_rate, step));
}

}  // namespace

void sgd_step_cuda(const SgdOptions& options, float learning_rate, std::int64_t count, float* parameters,
                   const float* gradients, float* momentum_buffer, bool first_step, void* stream) {
  options.validate();
  const bool use_momentum = options.momentum != 0.0f;
  GENINT_CHECK(!use_momentum || momentum_buffer != nullptr, "SGD with momentum needs a momentum buffer");
  if (count > 0)
    launch_elementwise(sgd_kernel, count, stream, learning_rate, options.momentum, options.weight_decay,
                       options.nesterov, first_step, count, parameters, gradients,
                       use_momentum ? momentum_buffer : nullptr);
}

}  // namespace genint
