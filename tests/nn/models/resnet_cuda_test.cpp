// The CUDA ResNet held to its CPU twin on the same weights and input: logits, loss, gradients, running
// statistics, one SGD step, FP32 and TF32, the uint8 upload, and a training step that stops allocating.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/optim/sgd.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

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

std::vector<float> host_values(const Tensor& tensor) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float));
  return values;
}

// max |actual − expected| / max |expected|: the error relative to the tensor's scale.
double relative_difference(const Tensor& actual, const Tensor& expected) {
  const std::vector<float> a = host_values(actual), b = host_values(expected);
  EXPECT_EQ(a.size(), b.size());
  double worst = 0.0, scale = 0.0;
  for (std::size_t index = 0; index < std::min(a.size(), b.size()); ++index) {
    worst = std::max(worst, std::fabs(static_cast<double>(a[index]) - b[index]));
    scale = std::max(scale, std::fabs(static_cast<double>(b[index])));
  }
  EXPECT_GT(scale, 0.0) << "an all-zero reference proves nothing";
  return worst / scale;
}

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
  const std::vector<float> planes = random_planes(7);
  const std::vector<std::int32_t> targets = labels();
  const Tensor cpu_logits = cpu.forward(cpu.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  const Tensor cuda_logits =
      cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Train);
  EXPECT_LE(relative_difference(cuda_logits, cpu_logits), tolerance) << "logits";
  const float cpu_loss = cpu.backward(targets.data(), kBatch);
  const float cuda_loss = cuda.backward(targets.data(), kBatch);
  EXPECT_NEAR(cuda_loss, cpu_loss, tolerance * std::fabs(cpu_loss)) << "loss";
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
  const std::vector<float> planes = random_planes(11);
  const Tensor cpu_logits = cpu.forward(cpu.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Eval);
  const Tensor cuda_logits = cuda.forward(cuda.upload_images(planes.data(), kBatch, kSize, kSize), BatchNormMode::Eval);
  EXPECT_LE(relative_difference(cuda_logits, cpu_logits), kFp32Relative);
}

TEST(ResNetCuda, SgdStepOnTheDeviceMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cpu(ResNetConfig{"resnet18", kClasses, false});
  ResNet cuda(cuda_config(false));
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
  const std::vector<float> before = host_values(cuda.find("fc.weight").value);
  cpu_sgd.step(0.5f);
  cuda_sgd.step(0.5f);
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
  EXPECT_EQ(cuda.arena().device(), Device::Cuda);
}

TEST(ResNetCuda, ImagesOnTheWrongDeviceAreRefused) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ResNet cuda(cuda_config(false));
  const Tensor host_images = Tensor::zeros(Shape{2, 3, kSize, kSize}, DType::Float32, Device::Cpu);
  EXPECT_THROW(cuda.forward(host_images, BatchNormMode::Eval), Error);
}

}  // namespace
}  // namespace genint
