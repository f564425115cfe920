// genint-train's CUDA path against its CPU path (the truth): the step fed by the loader's device output, with the
// Eq. 1 (and Mixup) loss and its gradient computed once on the device, gives the CPU step's losses and weights within
// float32 reordering; the whole trainer on CUDA trains, logs and resumes. Skips where no GPU is present.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <genint.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "examples/trainer/trainer.h"
#include "examples/trainer/trainer_options.h"
#include "examples/trainer/training_step.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/device_buffer.h"
#include "support/cuda_test_support.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"
#include "tests/examples/support/tiny_training.h"

namespace genint::trainer {
namespace {

using examples_testing::make_tiny_set;
using examples_testing::read_log;
using examples_testing::tiny_options;
using genint::testing::TemporaryDirectory;

constexpr int kBatch = 8;
constexpr int kClasses = 2;
// cuDNN's convolutions and cuBLAS's fc sum in other orders than the CPU's GEMMs (float32, ~6e-8 relative per
// addition), through 20 layers and batch norm over 8 samples, then SGD at lr 0.1 for a few steps: a few 1e-4
// relative is what reordering gives; 5e-3 leaves room for cuDNN's Winograd/FFT algorithms and still catches a
// wrong weight, label or slot (those change the loss by tens of percent).
constexpr double kRelativeTolerance = 5e-3;

Loader make_loader(const std::string& root, const std::string& layout, bool device_output, bool mixup) {
  nlohmann::json config = nlohmann::json::parse(natural_folder_loader_config(root, 16, kBatch, 2, 3));
  config["image"]["layout"] = layout;
  if (device_output) config["output"] = {{"device", "cuda"}, {"device_index", 0}};
  if (mixup) config["mixup"] = {{"alpha", 0.4}};  // the CUDA step uploads partner labels and λ
  return Loader::from_json(config.dump());
}

ResNetConfig tiny_model() {
  ResNetConfig config;
  config.architecture = "resnet18";
  config.num_classes = kClasses;
  config.small_input_stem = true;
  return config;
}

void expect_close(double expected, double actual, const std::string& what) {
  EXPECT_LE(std::abs(expected - actual), kRelativeTolerance * std::max(1e-3, std::abs(expected)))
      << what << ": CPU " << expected << ", CUDA " << actual;
}

std::vector<float> host_values(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), tensor.byte_count());
  return values;
}

// (image layout, Mixup on).
class TrainingStepCuda : public ::testing::TestWithParam<std::tuple<std::string, bool>> {};

// Four steps each; the CUDA step runs two deep, as genint-train runs it once warm.
TEST_P(TrainingStepCuda, DeviceOutputStepMatchesTheCpuStep) {
  GENINT_REQUIRE_CUDA_DEVICE();
  TemporaryDirectory folder;
  const std::string root = make_tiny_set(folder.path() / "data");
  const auto [layout, mixup] = GetParam();
  Loader host_loader = make_loader(root, layout, false, mixup);
  Loader device_loader = make_loader(root, layout, true, mixup);
  ResNet cpu_model(tiny_model());
  cpu_model.initialize_kaiming(1);
  const CudaStream stream(0);
  ResNetConfig cuda_config = tiny_model();
  cuda_config.device = Device::Cuda;
  cuda_config.stream = stream.get();
  ResNet cuda_model(cuda_config);
  cuda_model.copy_state_from(cpu_model);
  MomentumSgd cpu_optimizer(cpu_model, SgdOptions{}), cuda_optimizer(cuda_model, SgdOptions{});
  cuda_synchronize();  // the state copies and zeroed momentum ran on the legacy default stream
  EXPECT_TRUE(cuda_stream_is_non_blocking(stream.get()));

  TrainingStep cpu_step(cpu_model, cpu_optimizer, kClasses, kBatch);
  TrainingStep cuda_step(cuda_model, cuda_optimizer, kClasses, kBatch);
  std::vector<StepOutcome> cpu_outcomes, cuda_outcomes;
  for (int iteration = 0; iteration < 4; ++iteration) {
    {
      BorrowedBatch batch(host_loader);
      cpu_step.submit(batch, host_loader.get(), 0.1f);
      cpu_outcomes.push_back(cpu_step.collect());
    }
    BorrowedBatch batch(device_loader);
    cuda_step.submit(batch, device_loader.get(), 0.1f);
    EXPECT_FALSE(batch.holds_batch());  // given back on the stream
    if (cuda_step.in_flight() == TrainingStep::kSlots) cuda_outcomes.push_back(cuda_step.collect());
  }
  while (cuda_step.in_flight() > 0) cuda_outcomes.push_back(cuda_step.collect());
  ASSERT_EQ(cuda_outcomes.size(), cpu_outcomes.size());
  for (std::size_t index = 0; index < cpu_outcomes.size(); ++index) {
    const std::string step = "step " + std::to_string(index);
    expect_close(cpu_outcomes[index].loss, cuda_outcomes[index].loss, step + " loss");
    EXPECT_EQ(cpu_outcomes[index].sources.count, cuda_outcomes[index].sources.count) << step;
    expect_close(cpu_outcomes[index].sources.mean_loss[0], cuda_outcomes[index].sources.mean_loss[0],
                 step + " natural mean loss");
  }
  cuda_model.synchronize();
  for (std::size_t index = 0; index < cpu_model.parameters().size(); ++index) {
    const std::vector<float> expected = host_values(cpu_model.parameters()[index].value);
    const std::vector<float> actual = host_values(cuda_model.parameters()[index].value);
    float scale = 0.0f, difference = 0.0f;
    for (std::size_t element = 0; element < expected.size(); ++element) {
      scale = std::max(scale, std::abs(expected[element]));
      difference = std::max(difference, std::abs(expected[element] - actual[element]));
    }
    EXPECT_LE(difference, kRelativeTolerance * scale) << cpu_model.parameters()[index].name;
  }
}

INSTANTIATE_TEST_SUITE_P(Layouts, TrainingStepCuda,
                         ::testing::Combine(::testing::Values(std::string("float32_chw"), std::string("uint8_hwc")),
                                            ::testing::Bool()),
                         [](const ::testing::TestParamInfo<std::tuple<std::string, bool>>& case_info) {
                           return std::get<0>(case_info.param) + (std::get<1>(case_info.param) ? "_mixup" : "");
                         });

// The whole trainer: CUDA against CPU per logged step, then a CUDA run interrupted and resumed against the
// uninterrupted CUDA run (checkpoints are written and read around the in-flight step).
TEST(TrainerCuda, TrainsFromTheDeviceOutputLikeTheCpuAndResumes) {
  GENINT_REQUIRE_CUDA_DEVICE();
  TemporaryDirectory folder;
  const std::string data = make_tiny_set(folder.path() / "data");
  TrainerOptions cpu = tiny_options(data, folder.path() / "cpu", "cpu");
  TrainerOptions cuda = tiny_options(data, folder.path() / "cuda", "cuda");
  cpu.epochs = cuda.epochs = 3;  // 6 steps
  ASSERT_EQ(run_training(cpu).steps, 6);
  const TrainingSummary whole = run_training(cuda);
  ASSERT_EQ(whole.steps, 6);
  EXPECT_GT(whole.images_per_second, 0.0);
  const std::vector<nlohmann::json> cpu_log = read_log(folder.path() / "cpu");
  const std::vector<nlohmann::json> cuda_log = read_log(folder.path() / "cuda");
  ASSERT_EQ(cuda_log.size(), 6u);
  for (std::size_t step = 0; step < 6; ++step) {
    expect_close(cpu_log[step]["loss"].get<double>(), cuda_log[step]["loss"].get<double>(),
                 "logged step " + std::to_string(step));
    EXPECT_GT(cuda_log[step]["images_per_second"].get<double>(), 0.0);
  }

  TrainerOptions first_part = tiny_options(data, folder.path() / "parts", "cuda");
  first_part.epochs = 3;
  first_part.max_steps = 3;
  ASSERT_EQ(run_training(first_part).steps, 3);
  TrainerOptions second_part = tiny_options(data, folder.path() / "parts", "cuda");
  second_part.epochs = 3;
  second_part.resume_from = "latest";
  ASSERT_EQ(run_training(second_part).steps, 6);
  const std::vector<nlohmann::json> parts_log = read_log(folder.path() / "parts");
  ASSERT_EQ(parts_log.size(), 6u);
  for (std::size_t step = 0; step < 6; ++step)
    expect_close(cuda_log[step]["loss"].get<double>(), parts_log[step]["loss"].get<double>(),
                 "resumed step " + std::to_string(step));
}

}  // namespace
}  // namespace genint::trainer
