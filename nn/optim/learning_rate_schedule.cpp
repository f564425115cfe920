// Learning-rate schedules in closed form, so any epoch can be asked for directly (e.g. on resume).
// torch computes Step and Cosine recursively; the closed forms agree to double rounding.
#include "nn/optim/learning_rate_schedule.h"

#include <cmath>
#include <string>

#include "nn/core/error.h"

namespace genint {

void LearningRateSchedule::validate() const {
  GENINT_CHECK(base > 0.0, "learning rate schedule: base=" + std::to_string(base) + " must be positive");
  if (kind == Kind::Step)
    GENINT_CHECK(step_epochs > 0 && gamma > 0.0, "step schedule: step_epochs=" + std::to_string(step_epochs) +
                                                     " and gamma=" + std::to_string(gamma) + " must be positive");
  if (kind == Kind::Cosine)
    GENINT_CHECK(total_epochs > 0 && minimum >= 0.0 && minimum <= base,
                 "cosine schedule: total_epochs=" + std::to_string(total_epochs) +
                     " must be positive and minimum=" + std::to_string(minimum) + " within [0, base]");
}

double LearningRateSchedule::at(int epoch) const {
  validate();
  GENINT_CHECK(epoch >= 0, "learning rate schedule: epoch=" + std::to_string(epoch) + " is negative");
  switch (kind) {
    case Kind::Constant: return base;
    case Kind::Step: return base * std::pow(gamma, epoch / step_epochs);
    case Kind::Cosine: {
      const double pi = std::acos(-1.0);
      return minimum + (base - minimum) * (1.0 + std::cos(pi * epoch / total_epochs)) / 2.0;
    }
  }
  return base;
}

}  // namespace genint
