// SGD by hand-computed values (weight decay, momentum buffer, Nesterov) and option checks; schedule edges.
#include "nn/optim/sgd.h"

#include <gtest/gtest.h>

#include <vector>

#include "nn/core/error.h"
#include "nn/optim/learning_rate_schedule.h"

namespace genint {
namespace {

TEST(SgdCpu, HandComputedTwoSteps) {
  SgdOptions options;
  options.momentum = 0.5f;
  options.weight_decay = 0.25f;
  options.nesterov = true;
  std::vector<float> parameter{2.0f}, buffer{0.0f};
  const std::vector<float> gradient{1.0f};
  // Step 1: g = 1 + 0.25·2 = 1.5; buf = 1.5; nesterov g = 1.5 + 0.5·1.5 = 2.25; p = 2 − 0.5·2.25 = 0.875.
  sgd_step_cpu(options, 0.5f, 1, parameter.data(), gradient.data(), buffer.data(), true);
  EXPECT_FLOAT_EQ(parameter[0], 0.875f);
  EXPECT_FLOAT_EQ(buffer[0], 1.5f);
  // Step 2: g = 1 + 0.25·0.875 = 1.21875; buf = 0.5·1.5 + 1.21875 = 1.96875;
  // g = 1.21875 + 0.5·1.96875 = 2.203125; p = 0.875 − 0.5·2.203125 = −0.2265625 (all exact in float).
  sgd_step_cpu(options, 0.5f, 1, parameter.data(), gradient.data(), buffer.data(), false);
  EXPECT_EQ(buffer[0], 1.96875f);
  EXPECT_EQ(parameter[0], -0.2265625f);
}

TEST(SgdCpu, RejectsBadOptions) {
  SgdOptions options;
  options.nesterov = true;  // without momentum, as torch refuses
  EXPECT_THROW(options.validate(), Error);
  options.momentum = -0.1f;
  EXPECT_THROW(Sgd{options}, Error);
  SgdOptions with_momentum;
  with_momentum.momentum = 0.9f;
  std::vector<float> parameter{1.0f}, gradient{1.0f};
  EXPECT_THROW(sgd_step_cpu(with_momentum, 0.1f, 1, parameter.data(), gradient.data(), nullptr, true), Error);
}

TEST(SgdObject, RefusesAMismatchedGradient) {
  Sgd optimizer(SgdOptions{});
  const Tensor parameter = Tensor::zeros(Shape{4}, DType::Float32, Device::Cpu);
  EXPECT_THROW(optimizer.add_parameter(parameter, Tensor::zeros(Shape{5}, DType::Float32, Device::Cpu)), Error);
}

TEST(LearningRateSchedule, StepAndCosineEdges) {
  LearningRateSchedule step;
  step.kind = LearningRateSchedule::Kind::Step;
  EXPECT_DOUBLE_EQ(step.at(29), 0.1);
  EXPECT_DOUBLE_EQ(step.at(30), 0.1 * 0.1);
  LearningRateSchedule cosine;
  cosine.kind = LearningRateSchedule::Kind::Cosine;
  cosine.minimum = 0.001;
  EXPECT_DOUBLE_EQ(cosine.at(0), 0.1);
  EXPECT_NEAR(cosine.at(45), (0.1 + 0.001) / 2, 1e-15);  // halfway: the mean of base and minimum
  EXPECT_NEAR(cosine.at(90), 0.001, 1e-15);
  EXPECT_THROW(cosine.at(-1), Error);
  cosine.minimum = 0.5;  // above base
  EXPECT_THROW(cosine.at(1), Error);
}

}  // namespace
}  // namespace genint
