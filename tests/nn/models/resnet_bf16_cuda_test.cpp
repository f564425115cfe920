// The CUDA bf16 ResNet (cuDNN bf16 convolutions) held to its CPU twin (the same bf16 roundings around float32
// convolutions): a train step's logits, loss and gradients, a bf16 SGD step, and no allocation after the first step.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nn/models/bf16_comparison.h"
#include "nn/models/resnet.h"
#include "nn/models/resnet_test_support.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

constexpr int kBatch = 8;
constexpr int kSize = 64;  // the 7x7/2 stem and the max pool run; layer4 sees 2x2
constexpr int kClasses = 10;

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
  testing::expect_train_steps_agree(cpu, cuda, testing::random_planes(kBatch, kSize, 7),
                                    testing::cyclic_labels(kBatch, kClasses, 3), kSize, testing::kBf16Relative);
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
  const std::vector<float> before = testing::host_values(cuda.find("layer2.1.conv2.weight").value);
  const std::vector<float> planes = testing::random_planes(kBatch, kSize, 13);
  const std::vector<std::int32_t> targets = testing::cyclic_labels(kBatch, kClasses, 3);
  testing::train_and_sgd_step(cpu, planes, targets, kSize, 0.01f);
  testing::train_and_sgd_step(cuda, planes, targets, kSize, 0.01f);
  const std::vector<float> after = testing::host_values(cuda.find("layer2.1.conv2.weight").value);
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
  testing::expect_steps_stop_allocating(cuda, testing::random_planes(kBatch, kSize, 17),
                                        testing::cyclic_labels(kBatch, kClasses, 3), kSize);
}

}  // namespace
}  // namespace genint
