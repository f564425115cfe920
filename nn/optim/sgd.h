// SGD with momentum, weight decay and optional Nesterov, step for step as torch.optim.SGD with dampening 0.
// A kernel over flat float arrays (CPU and CUDA) and an Sgd object that owns the momentum buffers.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/ops/op_target.h"
#include "nn/tensor/tensor.h"

namespace genint {

struct SgdOptions {
  float momentum = 0.0f;
  float weight_decay = 0.0f;
  bool nesterov = false;
  void validate() const;
};

// One update of `count` parameters in place, as torch does it:
//   g = grad + weight_decay·p;  buf = g on the first step, else momentum·buf + g;
//   g = g + momentum·buf (Nesterov) or buf;  p = p − lr·g.
// momentum_buffer holds `count` floats and is ignored (may be null) when momentum is 0.
void sgd_step_cpu(const SgdOptions& options, float learning_rate, std::int64_t count, float* parameters,
                  const float* gradients, float* momentum_buffer, bool first_step);
// Same on CUDA device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void sgd_step_cuda(const SgdOptions& options, float learning_rate, std::int64_t count, float* parameters,
                   const float* gradients, float* momentum_buffer, bool first_step, void* stream);
// Dispatch point: the CPU update, or its CUDA twin on target.stream.
void sgd_step(const OpTarget& target, const SgdOptions& options, float learning_rate, std::int64_t count,
              float* parameters, const float* gradients, float* momentum_buffer, bool first_step);

class Sgd {
 public:
  explicit Sgd(const SgdOptions& options);
  // Registers a float32 parameter and the tensor its gradient is written to (same shape and device);
  // the momentum buffer is allocated here, once.
  void add_parameter(const Tensor& parameter, const Tensor& gradient);
  // Updates every registered parameter with this learning rate.
  void step(float learning_rate, void* stream = nullptr);
  std::int64_t steps_taken() const { return steps_taken_; }
  // The momentum buffer of the index-th parameter (undefined when momentum is 0).
  const Tensor& momentum_buffer(std::size_t index) const;

 private:
  struct Slot {
    Tensor parameter, gradient, momentum;
  };
  SgdOptions options_;
  std::vector<Slot> slots_;
  std::int64_t steps_taken_ = 0;
};

}  // namespace genint
