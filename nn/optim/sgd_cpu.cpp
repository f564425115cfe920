// CPU SGD update (each line one tensor op of torch.optim.SGD; plain multiply-adds: x86-64's baseline has no FMA),
// its dispatch point (CPU or CUDA by OpTarget) and the Sgd object that drives it on either device.
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/optim/sgd.h"

namespace genint {

void SgdOptions::validate() const {
  GENINT_CHECK(momentum >= 0.0f && weight_decay >= 0.0f, "SGD: momentum=" + std::to_string(momentum) +
                                                             " and weight_decay=" + std::to_string(weight_decay) +
                                                             " must not be negative");
  GENINT_CHECK(!nesterov || momentum > 0.0f, "SGD: Nesterov momentum needs momentum > 0 (as torch.optim.SGD)");
}

void sgd_step_cpu(const SgdOptions& options, float learning_rate, std::int64_t count, float* parameters,
                  const float* gradients, float* momentum_buffer, bool first_step) {
  options.validate();
  const bool use_momentum = options.momentum != 0.0f;
  GENINT_CHECK(!use_momentum || momentum_buffer != nullptr, "SGD with momentum needs a momentum buffer");
#pragma omp parallel for schedule(static) if (count > 65536)
  for (std::int64_t index = 0; index < count; ++index) {
    // PyTorch's vectorised add-with-alpha may fuse these multiply-adds; unfused they differ by ≤ 1 ulp each.
    float step = gradients[index] + options.weight_decay * parameters[index];  // d_p.add(p, alpha=wd)
    if (use_momentum) {
      // buf.mul_(momentum).add_(d_p): two roundings, as two separate tensor ops make.
      const float buffer = first_step ? step : momentum_buffer[index] * options.momentum + step;
      momentum_buffer[index] = buffer;
      step = options.nesterov ? step + options.momentum * buffer : buffer;
    }
    parameters[index] -= learning_rate * step;  // p.add_(d_p, alpha=-lr)
  }
}

Sgd::Sgd(const SgdOptions& options) : options_(options) {
  options_.validate();
}

void Sgd::add_parameter(const Tensor& parameter, const Tensor& gradient) {
  GENINT_CHECK(parameter.dtype() == DType::Float32 && parameter.is_contiguous(),
               "Sgd::add_parameter: parameter " + parameter.shape().to_string() + " must be contiguous float32");
  gradient.expect("Sgd::add_parameter gradient", parameter.shape(), DType::Float32, parameter.device());
  GENINT_CHECK(gradient.is_contiguous(), "Sgd::add_parameter: gradient must be contiguous");
  Slot slot{parameter, gradient, Tensor{}};
  if (options_.momentum != 0.0f) slot.momentum = Tensor::zeros(parameter.shape(), DType::Float32, parameter.device());
  slots_.push_back(slot);
}

void Sgd::step(float learning_rate, void* stream) {
  const bool first_step = steps_taken_ == 0;
  for (Slot& slot : slots_) {
    sgd_step(OpTarget{slot.parameter.device(), stream}, options_, learning_rate, slot.parameter.element_count(),
             slot.parameter.data<float>(), slot.gradient.data<float>(), slot.momentum.data_or_null<float>(),
             first_step);
  }
  ++steps_taken_;
}

const Tensor& Sgd::momentum_buffer(std::size_t index) const {
  GENINT_CHECK(index < slots_.size(), "Sgd::momentum_buffer: no parameter " + std::to_string(index));
  return slots_[index].momentum;
}

void sgd_step(const OpTarget& target, const SgdOptions& options, float learning_rate, std::int64_t count,
              float* parameters, const float* gradients, float* momentum_buffer, bool first_step) {
  if (target.on_cpu())
    return sgd_step_cpu(options, learning_rate, count, parameters, gradients, momentum_buffer, first_step);
  GENINT_CUDA_CALL(sgd_step_cuda, options, learning_rate, count, parameters, gradients, momentum_buffer, first_step,
                   target.stream);
}

}  // namespace genint
