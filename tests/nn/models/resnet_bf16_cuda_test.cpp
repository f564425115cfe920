// The CUDA bf16 ResNet (cuDNN bf16 convolutions) held to its CPU twin (the same bf16 roundings around float32
// convolutions): a train step's logits, loss and gradients, a bf16 SGD step, and no allocation after the first step.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <vector>

#include "nn/models/bf16_comparison.h"
#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/optim/sgd.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

constexpr int kBatch = 8;
constexpr int kSize = 64;  // the 7x7/2 stem and the max pool run; layer4 sees 2x2
constexpr int kClasses = 10;

std::vector<float> random_planes(std::uint64_t seed) {
  std::vector<float> values(static_cast<std::size_t>(kBatch) * 3 * kSize * kSize);
  for (std::size_t index = 0; index < values.size(); ++index)
    values[index] = static_cast<float>(testing::splitmix64(seed + index) >> 40) / 16777216.0f - 0.5f;
  return values;
}

std::vector<std::int32_t> labels() {
  std::vector<std::int32_t> values(kBatch);
  for (int sample = 0; sample < kBatch; ++sample) values[static_cast<std::size_t>(sample)] = (sample * 3) % kClasses;
  return values;
}

ResNetConfig bf16_config(Device device) {
  ResNetConfig config{"resnet18", kClasses, false};
  config.device = device;
  config.bf16 = true;
  return config;
}

// Two bf16 computations that differ only in float32 summation order can still round some values to neighbouring
// bf16 numbers, and those flips grow through the layers up to the size of bf16 noise itself: the tolerances are
// the twin-vs-float32 ones (bf16_comparison.h), not float32's.
TEST(ResNetBf16Cuda, TrainStepMatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cpu(bf16_config(Device::Cpu));
  ResNet cuda(bf16_config(Device::Cuda));
  cuda.copy_state_from(cpu);
  const std::vector<float> planes = random_planes(7);
  const std::vector<std::int32_t> targets = labels();
  const Tensor cpu_logits = cpu.forward(cpu.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  const Tensor cuda_logits =
      cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  EXPECT_LE(testing::relative_difference(cuda_logits, cpu_logits), testing::kBf16Relative) << "logits";
  const float cpu_loss = cpu.backward(targets.data(), kBatch);
  const float cuda_loss = cuda.backward(targets.data(), kBatch);
  EXPECT_NEAR(cuda_loss, cpu_loss, testing::kBf16Relative * std::fabs(cpu_loss)) << "loss";
  EXPECT_LE(testing::relative_difference(cuda.find("fc.weight").grad, cpu.find("fc.weight").grad),
            testing::kBf16Relative);
  for (const ResNetTensor& parameter : cpu.parameters())
    if (parameter.value.rank() == 4) {
      EXPECT_GE(testing::cosine(cuda.find(parameter.name).grad, parameter.grad), testing::kBf16ConvGradCosine)
          << parameter.name << " grad";
    }
  for (const char* name : {"bn1.running_mean", "layer4.1.bn2.running_var"})
    EXPECT_LE(testing::relative_difference(cuda.find(name).value, cpu.find(name).value), testing::kBf16Relative)
        << name;
}

// SGD updates the float32 master weights from the bf16-rounded gradients; the step lands where the CPU's does.
TEST(ResNetBf16Cuda, SgdStepsKeepFloat32MasterWeights) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cpu(bf16_config(Device::Cpu));
  ResNet cuda(bf16_config(Device::Cuda));
  cuda.copy_state_from(cpu);
  const SgdOptions options{0.9f, 1e-4f, false};
  Sgd cpu_sgd(options), cuda_sgd(options);
  for (const ResNetTensor& parameter : cpu.parameters()) cpu_sgd.add_parameter(parameter.value, parameter.grad);
  for (const ResNetTensor& parameter : cuda.parameters()) cuda_sgd.add_parameter(parameter.value, parameter.grad);
  const std::vector<float> planes = random_planes(13);
  const std::vector<std::int32_t> targets = labels();
  cpu.forward(cpu.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  cpu.backward(targets.data(), kBatch);
  cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  cuda.backward(targets.data(), kBatch);
  const std::vector<float> before = testing::host_copy(cuda.find("layer2.1.conv2.weight").value);
  cpu_sgd.step(0.01f);
  cuda_sgd.step(0.01f);
  const std::vector<float> after = testing::host_copy(cuda.find("layer2.1.conv2.weight").value);
  EXPECT_NE(after, before) << "the step changed nothing";
  // Float32 master weights: a step of lr·grad (~1e-4 of a weight) survives; in bf16 storage most would round away.
  int unchanged = 0;
  for (std::size_t index = 0; index < after.size(); ++index) unchanged += after[index] == before[index];
  EXPECT_LT(unchanged, static_cast<int>(after.size() / 10));
  // The weights move by lr·grad (small against the weights), so they agree far better than the gradients do.
  for (const char* name : {"conv1.weight", "layer2.1.conv2.weight", "fc.weight"})
    EXPECT_LE(testing::relative_difference(cuda.find(name).value, cpu.find(name).value), 1e-2) << name;
}

TEST(ResNetBf16Cuda, ResNet50StepsStopAllocatingAfterTheFirst) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNetConfig config{"resnet50", kClasses, false};
  config.device = Device::Cuda;
  config.bf16 = true;
  ResNet cuda(config);
  const std::vector<float> planes = random_planes(17);
  const std::vector<std::int32_t> targets = labels();
  std::size_t allocations_after_second = 0;
  for (int step = 0; step < 3; ++step) {
    cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
    const float loss = cuda.backward(targets.data(), kBatch);
    EXPECT_TRUE(std::isfinite(loss));
    if (step == 1) allocations_after_second = cuda.arena().system_allocations();
  }
  EXPECT_EQ(cuda.arena().system_allocations(), allocations_after_second);
}

}  // namespace
}  // namespace genint
