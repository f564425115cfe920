// The CUDA ResNet held to its CPU twin on the same weights and input: logits, loss, gradients, running
// statistics, one SGD step, FP32 and TF32, the uint8 upload, a training step that stops allocating, ResNet-20.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nn/core/error.h"
#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/models/resnet_test_support.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

using testing::host_values;
using testing::relative_difference;

constexpr int kBatch = 8;
constexpr int kSize = 64;  // keeps the 7x7/2 stem and the max pool; layer4 sees 2x2
constexpr int kClasses = 10;

// FP32: cuDNN may pick Winograd, FFT or implicit-GEMM algorithms whose sums differ from im2col+sgemm by
// ~1e-6..1e-5 relative per convolution; ~20 layers of train-mode batch norm (which rescales by batch statistics
// of 8 images) compound that to ~1e-4 relative. 2e-3 of the largest magnitude leaves 20x and still fails on any
// layout, transpose or indexing error (those give O(1) differences).
constexpr double kFp32Relative = 2e-3;
// TF32 rounds every conv/fc input to a 10-bit mantissa (2^-11 ≈ 4.9e-4 relative per operand); over ~20 layers
// that grows to ~1e-2 of the largest magnitude. 5e-2 still catches structural errors (O(1)).
constexpr double kTf32Relative = 5e-2;

ResNetConfig cuda_config(bool tf32) {
  ResNetConfig config{"resnet18", kClasses, false};
  config.device = Device::Cuda;
  config.allow_tf32 = tf32;
  return config;
}

void expect_train_step_matches(bool tf32, double tolerance) {
  ResNet cpu(ResNetConfig{"resnet18", kClasses, false});
  ResNet cuda(cuda_config(tf32));
  cuda.copy_state_from(cpu);
  testing::expect_train_steps_agree(cpu, cuda, testing::random_planes(kBatch, kSize, 7),
                                    testing::cyclic_labels(kBatch, kClasses, 3), kSize, tolerance);
  for (const char* name : {"conv1.weight", "bn1.weight", "layer1.0.conv1.weight", "layer3.0.downsample.0.weight",
                           "layer4.1.bn2.bias", "fc.weight", "fc.bias"}) {
    EXPECT_LE(relative_difference(cuda.find(name).grad, cpu.find(name).grad), tolerance) << name << " grad";
  }
  for (const char* name : {"bn1.running_mean", "layer4.1.bn2.running_var"}) {
    EXPECT_LE(relative_difference(cuda.find(name).value, cpu.find(name).value), tolerance) << name;
  }
}

TEST(ResNetCuda, Fp32TrainStepMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  expect_train_step_matches(false, kFp32Relative);
}

TEST(ResNetCuda, Tf32TrainStepMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  expect_train_step_matches(true, kTf32Relative);
}

TEST(ResNetCuda, EvalForwardMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cpu(ResNetConfig{"resnet18", kClasses, false});
  ResNet cuda(cuda_config(false));
  cuda.copy_state_from(cpu);
  const std::vector<float> planes = testing::random_planes(kBatch, kSize, 11);
  const Tensor cpu_logits = cpu.forward(cpu.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Eval);
  const Tensor cuda_logits = cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Eval);
  EXPECT_LE(relative_difference(cuda_logits, cpu_logits), kFp32Relative);
}

TEST(ResNetCuda, SgdStepOnTheDeviceMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cpu(ResNetConfig{"resnet18", kClasses, false});
  ResNet cuda(cuda_config(false));
  cuda.copy_state_from(cpu);
  const std::vector<float> before = host_values(cuda.find("fc.weight").value);
  const std::vector<float> planes = testing::random_planes(kBatch, kSize, 13);
  const std::vector<std::int32_t> targets = testing::cyclic_labels(kBatch, kClasses, 3);
  testing::train_and_sgd_step(cpu, planes, targets, kSize, 0.5f);
  testing::train_and_sgd_step(cuda, planes, targets, kSize, 0.5f);
  // The update moves the weights by lr·grad (~1e-2); the updated weights inherit the gradients' tolerance.
  EXPECT_NE(host_values(cuda.find("fc.weight").value), before) << "the step changed nothing";
  for (const char* name : {"conv1.weight", "layer2.1.conv2.weight", "fc.weight", "fc.bias"})
    EXPECT_LE(relative_difference(cuda.find(name).value, cpu.find(name).value), kFp32Relative) << name;
}

TEST(ResNetCuda, Uint8UploadNormalisesAsTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(kBatch) * kSize * kSize * 3);
  for (std::size_t index = 0; index < pixels.size(); ++index)
    pixels[index] = static_cast<std::uint8_t>(testing::splitmix64(index) & 0xFF);
  ResNet cpu(ResNetConfig{"resnet18", kClasses, false});
  ResNet cuda(cuda_config(false));
  const Tensor expected = cpu.upload_images(pixels.data(), kBatch, kSize, kSize);
  const Tensor actual = cuda.upload_images(pixels.data(), kBatch, kSize, kSize);
  // Both evaluate the same fused multiply-add per pixel: bit-identical.
  EXPECT_EQ(host_values(actual), host_values(expected));
}

TEST(ResNetCuda, TrainingStepsStopAllocatingAfterTheFirst) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cuda(cuda_config(true));
  testing::expect_steps_stop_allocating(cuda, testing::random_planes(kBatch, kSize, 17),
                                        testing::cyclic_labels(kBatch, kClasses, 3), kSize);
  EXPECT_EQ(cuda.arena().device(), Device::Cuda);
}

// He et al.'s CIFAR ResNet-20 at 32x32 (3x3/1 stem, no max pool, 16-64 channels, option-B shortcuts): the same units
// and kernels at other shapes. 20 layers as ResNet-18's, so the same tolerance.
TEST(ResNetCuda, CifarResNet20TrainStepMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  constexpr int kCifarSize = 32;
  ResNet cpu(ResNetConfig{"resnet20", kClasses, false});
  ResNetConfig config{"resnet20", kClasses, false};
  config.device = Device::Cuda;
  ResNet cuda(config);
  cuda.copy_state_from(cpu);
  testing::expect_train_steps_agree(cpu, cuda, testing::random_planes(kBatch, kCifarSize, 19),
                                    testing::cyclic_labels(kBatch, kClasses, 3), kCifarSize, kFp32Relative);
  for (const char* name :
       {"conv1.weight", "bn1.bias", "layer2.0.downsample.0.weight", "layer3.2.conv2.weight", "fc.weight"}) {
    EXPECT_LE(relative_difference(cuda.find(name).grad, cpu.find(name).grad), kFp32Relative) << name << " grad";
  }
}

TEST(ResNetCuda, ImagesOnTheWrongDeviceAreRefused) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cuda(cuda_config(false));
  const Tensor host_images = Tensor::zeros(Shape{2, 3, kSize, kSize}, DType::Float32, Device::Cpu);
  EXPECT_THROW(cuda.forward(host_images, BatchNormMode::Eval), Error);
}

}  // namespace
}  // namespace genint
