// Learning rate per epoch: constant, step (×gamma every step_epochs, torch StepLR) or cosine
// (torch CosineAnnealingLR's closed form, from base down to minimum over total_epochs).
#pragma once

namespace genint {

struct LearningRateSchedule {
  enum class Kind { Constant, Step, Cosine };
  Kind kind = Kind::Constant;
  double base = 0.1;
  double gamma = 0.1;     // Step
  int step_epochs = 30;   // Step
  int total_epochs = 90;  // Cosine: the T_max of torch
  double minimum = 0.0;   // Cosine: eta_min

  // The rate for epoch `epoch` (0-based), as the torch scheduler gives it after `epoch` scheduler steps.
  double at(int epoch) const;
  void validate() const;
};

}  // namespace genint
