// SGD two steps (momentum buffer created, then used) and the step/cosine schedules against torch 1.13
// (tools/golden/make_nn_dense_goldens.py): momentum+wd, Nesterov+wd, plain wd.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/optim/learning_rate_schedule.h"
#include "nn/optim/sgd.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::GoldenFile;

class SgdGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(SgdGolden, TwoStepsMatchTorchOptimSgd) {
  const GoldenFile golden = testing::open_nn_golden("sgd_" + GetParam());
  SgdOptions options;
  options.momentum = golden.metadata_float("momentum");
  options.weight_decay = golden.metadata_float("weight_decay");
  options.nesterov = golden.metadata_int("nesterov") != 0;
  const float learning_rate = golden.metadata_float("lr");
  std::vector<float> start = golden.floats("parameter_0");
  const auto count = static_cast<std::int64_t>(start.size());
  Tensor parameter = Tensor::empty(Shape{count}, DType::Float32, Device::Cpu);
  Tensor gradient = Tensor::empty(Shape{count}, DType::Float32, Device::Cpu);
  parameter.copy_from_host(start.data(), start.size() * sizeof(float));
  Sgd optimizer(options);
  optimizer.add_parameter(parameter, gradient);
  for (int step = 1; step <= 2; ++step) {
    const std::vector<float> grad = golden.floats("grad_" + std::to_string(step));
    gradient.copy_from_host(grad.data(), grad.size() * sizeof(float));
    optimizer.step(learning_rate);
    std::vector<float> actual(start.size());
    parameter.copy_to_host(actual.data(), actual.size() * sizeof(float));
    // A handful of float ops per element, each possibly fused differently from PyTorch's vector code
    // (≤ 1 ulp each): 1e-6 relative + 1e-7 absolute; a wrong formula (e.g. dampening, sign) is ≥ 1e-3 off.
    testing::expect_all_close(actual, golden.floats("parameter_" + std::to_string(step)), 1e-7, 1e-6,
                              GetParam() + " parameter after step " + std::to_string(step));
    if (options.momentum == 0.0f) continue;
    std::vector<float> buffer(start.size());
    optimizer.momentum_buffer(0).copy_to_host(buffer.data(), buffer.size() * sizeof(float));
    testing::expect_all_close(buffer, golden.floats("momentum_" + std::to_string(step)), 1e-7, 1e-6,
                              GetParam() + " momentum after step " + std::to_string(step));
  }
}

INSTANTIATE_TEST_SUITE_P(TorchConfigs, SgdGolden, ::testing::Values("momentum_wd", "nesterov_wd", "plain_wd"));

TEST(LearningRateScheduleGolden, StepAndCosineMatchTorchSchedulers) {
  const GoldenFile golden = testing::open_nn_golden("sgd_lr_schedules");
  LearningRateSchedule step;
  step.kind = LearningRateSchedule::Kind::Step;
  step.base = 0.1;
  step.gamma = 0.1;
  step.step_epochs = 30;
  LearningRateSchedule cosine;
  cosine.kind = LearningRateSchedule::Kind::Cosine;
  cosine.base = 0.1;
  cosine.total_epochs = 90;
  cosine.minimum = 1e-4;
  const std::vector<float> expected_step = golden.floats("step_lr"), expected_cosine = golden.floats("cosine_lr");
  std::vector<float> actual_step, actual_cosine;
  for (int epoch = 0; epoch < static_cast<int>(expected_step.size()); ++epoch) {
    actual_step.push_back(static_cast<float>(step.at(epoch)));
    actual_cosine.push_back(static_cast<float>(cosine.at(epoch)));
  }
  // The goldens are stored as float32 and torch recurses where we use the closed form: both differ
  // from the exact rate by a few float32 ulps at most, so 1e-6 relative (+1e-9 absolute).
  testing::expect_all_close(actual_step, expected_step, 1e-9, 1e-6, "step schedule");
  testing::expect_all_close(actual_cosine, expected_cosine, 1e-9, 1e-6, "cosine schedule");
}

}  // namespace
}  // namespace genint
