// The generator on CUDA in bf16 (bf16 conv weights and GenBlock activations, cuDNN bf16 convolutions, cuBLAS bf16
// GEMMs) held to the same generator's float32 CPU forward on the tiny golden model, and its FLOP count held to the
// layer shapes (equal on the CPU).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "gan/biggan/biggan_generator.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

const std::string kWeights = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny.safetensors";
const std::string kCases = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny_cases.safetensors";

// bf16 rounds every conv, linear and attention operand to 8 significant bits (≤ 2^-9 ≈ 2e-3 relative each);
// over ~30 layers with fixed (eval) batch-norm statistics that grows to a few 1e-2 on images in [−1, 1] at the
// worst pixel (TF32, 8x finer, reaches ~1e-2: biggan_cuda_test). The worst pixel may reach 0.3; the mean error
// stays ~1e-2, so 0.05 on the mean still fails on any layout or indexing error (those move the mean by O(0.3)).
constexpr float kBf16WorstPixel = 0.3f;
constexpr float kBf16MeanError = 0.05f;
// Float32 CUDA differs from the CPU by ~1e-6 on average: a mean above this shows the bf16 roundings happen.
constexpr float kBf16InEffect = 1e-4f;

TEST(BigGanBf16Cuda, ForwardStaysWithinBf16RoundingOfTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cpu = BigGanGenerator::load(kWeights);
  const io::SafetensorsFile cases = io::SafetensorsFile::open(kCases);
  const std::vector<float> z = cases.read<float>("z"), classes = cases.read<float>("class_vectors");
  const int batch = static_cast<int>(cases.tensor("z").shape[0]);
  BigGanBackend backend;
  backend.device = Device::Cuda;
  backend.precision = BigGanPrecision::Bf16;
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, backend);
  for (double truncation : {1.0, 0.4}) {
    BigGanInputs inputs;
    inputs.latents = z.data();
    inputs.class_vectors = classes.data();
    inputs.truncation = truncation;
    const std::size_t count = static_cast<std::size_t>(batch) * 3 * cpu.resolution() * cpu.resolution();
    std::vector<float> expected(count), actual(count);
    cpu.forward(batch, inputs, expected.data());
    cuda.forward_to_host(batch, inputs, actual.data());
    float worst = 0.0f;
    double sum = 0.0;
    for (std::size_t index = 0; index < count; ++index) {
      const float difference = std::fabs(actual[index] - expected[index]);
      worst = std::max(worst, difference);
      sum += difference;
    }
    const double mean = sum / static_cast<double>(count);
    std::printf("bf16 vs CPU float32 at truncation %.2f: worst pixel %.4g, mean %.4g\n", truncation, worst, mean);
    EXPECT_LE(worst, kBf16WorstPixel) << "truncation " << truncation;
    EXPECT_LE(mean, kBf16MeanError) << "truncation " << truncation;
    EXPECT_GT(mean, kBf16InEffect) << "truncation " << truncation << ": no bf16 rounding happened";
  }
}

// The count must not depend on precision and must grow linearly with the batch (every counted op is per sample).
TEST(BigGanBf16Cuda, FlopCountFollowsTheShapes) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const io::SafetensorsFile cases = io::SafetensorsFile::open(kCases);
  const std::vector<float> z = cases.read<float>("z"), classes = cases.read<float>("class_vectors");
  const int batch = static_cast<int>(cases.tensor("z").shape[0]);
  ASSERT_GE(batch, 2);
  BigGanInputs inputs;
  inputs.latents = z.data();
  inputs.class_vectors = classes.data();
  inputs.truncation = 0.4;
  BigGanBackend cuda, bf16_cuda;
  cuda.device = bf16_cuda.device = Device::Cuda;
  bf16_cuda.precision = BigGanPrecision::Bf16;
  BigGanGenerator float32 = BigGanGenerator::load(kWeights, cuda);
  BigGanGenerator bf16 = BigGanGenerator::load(kWeights, bf16_cuda);
  BigGanGenerator cpu = BigGanGenerator::load(kWeights);
  std::vector<float> images(static_cast<std::size_t>(batch) * 3 * float32.resolution() * float32.resolution());
  float32.forward_to_host(batch, inputs, images.data());
  const double full = float32.last_forward_flops();
  bf16.forward_to_host(batch, inputs, images.data());
  EXPECT_EQ(bf16.last_forward_flops(), full);
  cpu.forward_to_host(batch, inputs, images.data());
  EXPECT_EQ(cpu.last_forward_flops(), full);
  float32.forward_to_host(1, inputs, images.data());
  EXPECT_NEAR(float32.last_forward_flops() * batch, full, 1e-9 * full);
  EXPECT_GT(full, 0.0);
}

}  // namespace
}  // namespace genint
