// SGD with momentum whose whole state (momentum buffers, steps taken) can be saved and restored, so a resumed
// run continues exactly; each update is nn/optim's sgd_step_cpu / sgd_step_cuda (torch.optim.SGD's rule).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/models/resnet.h"
#include "nn/optim/sgd.h"

namespace genint::trainer {

class MomentumSgd {
 public:
  // One momentum buffer per model parameter, on the model's device, allocated here once.
  MomentumSgd(ResNet& model, const SgdOptions& options);

  // Updates every parameter from its gradient with this learning rate.
  void step(float learning_rate);
  std::int64_t steps_taken() const { return steps_taken_; }

  // Momentum buffers as "momentum.<parameter name>" float32 tensors plus steps_taken in the metadata.
  void save(const std::string& path) const;
  // Restores what save() wrote; every buffer must be present with its parameter's shape.
  void load(const std::string& path);

 private:
  ResNet& model_;
  SgdOptions options_;
  std::vector<Tensor> momentum_;
  std::vector<float> host_scratch_;  // checkpoint copies of one buffer at a time
  std::int64_t steps_taken_ = 0;
};

}  // namespace genint::trainer
