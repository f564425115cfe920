// The one BigGAN-deep generator run on a CUDA device held to the same generator on the CPU (itself held to
// pytorch-pretrained-biggan) on the tiny golden model: grid and off-grid truncations, per-layer latents, a smaller
// batch after a larger one, TF32 and activation hooks (edits included).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "biggan_test_support.h"
#include "gan/biggan/biggan_generator.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::max_abs_difference;

const std::string kWeights = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny.safetensors";
const std::string kCases = GENINT_TEST_DATA_DIR "/golden/gan/biggan_tiny_cases.safetensors";

// Images are tanh outputs in [−1, 1] after ~30 float32 layers with fixed (eval) batch-norm statistics, so
// errors are not amplified by batch statistics. cuDNN may choose Winograd/FFT/implicit-GEMM algorithms whose
// sums differ from im2col+sgemm by ~1e-6 relative per conv (K ≤ 288 here), and cuBLAS orders the attention
// sums differently; compounded over the depth that stays ~1e-5. 1e-4 leaves 10x and is 6000x below the
// change a neighbouring truncation set makes (0.6, see biggan_golden_test).
constexpr float kFp32Tolerance = 1e-4f;
// TF32 rounds conv/linear/attention inputs to 10-bit mantissas (2^-11 relative each); ~30 layers give
// ~1e-2 on values of order 1. 5e-2 still fails on any layout or indexing error (O(1) differences).
constexpr float kTf32Tolerance = 5e-2f;

class BigGanCudaTest : public ::testing::Test {
 protected:
  BigGanCudaTest()
      : cpu_(BigGanGenerator::load(kWeights)),
        cases_(io::SafetensorsFile::open(kCases)),
        z_(cases_.read<float>("z")),
        classes_(cases_.read<float>("class_vectors")),
        layer_latents_(cases_.read<float>("layer_latents")),
        batch_(static_cast<int>(cases_.tensor("z").shape[0])) {}

  BigGanInputs inputs(double truncation, bool per_layer) const {
    BigGanInputs result;
    result.latents = z_.data();
    result.layer_latents = per_layer ? layer_latents_.data() : nullptr;
    result.class_vectors = classes_.data();
    result.truncation = truncation;
    return result;
  }
  std::vector<float> run_cpu(int batch, const BigGanInputs& given) {
    std::vector<float> images(static_cast<std::size_t>(batch) * 3 * cpu_.resolution() * cpu_.resolution());
    cpu_.forward(batch, given, images.data());
    return images;
  }
  static BigGanBackend cuda(BigGanPrecision precision = BigGanPrecision::Float32, void* stream = nullptr) {
    BigGanBackend backend;
    backend.device = Device::Cuda;
    backend.stream = stream;
    backend.precision = precision;
    return backend;
  }
  static std::vector<float> run_cuda(BigGanGenerator& generator, int batch, const BigGanInputs& given) {
    std::vector<float> images(static_cast<std::size_t>(batch) * 3 * generator.resolution() * generator.resolution());
    generator.forward_to_host(batch, given, images.data());
    return images;
  }

  BigGanGenerator cpu_;
  io::SafetensorsFile cases_;
  std::vector<float> z_, classes_, layer_latents_;
  int batch_;
};

TEST_F(BigGanCudaTest, Fp32MatchesCpuAtSeveralTruncations) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda());
  for (double truncation : {1.0, 0.4, 0.415, 0.02}) {
    const std::vector<float> expected = run_cpu(batch_, inputs(truncation, false));
    EXPECT_LE(max_abs_difference(run_cuda(cuda, batch_, inputs(truncation, false)), expected), kFp32Tolerance)
        << "truncation " << truncation;
  }
}

TEST_F(BigGanCudaTest, TruncationChangesTheImages) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda());
  const std::vector<float> high = run_cuda(cuda, batch_, inputs(1.0, false));
  const std::vector<float> low = run_cuda(cuda, batch_, inputs(0.4, false));
  EXPECT_GT(max_abs_difference(high, low), 100.0f * kFp32Tolerance) << "the statistics were not re-uploaded";
}

TEST_F(BigGanCudaTest, PerLayerLatentsMatchCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda());
  EXPECT_LE(max_abs_difference(run_cuda(cuda, batch_, inputs(0.4, true)), run_cpu(batch_, inputs(0.4, true))),
            kFp32Tolerance);
}

TEST_F(BigGanCudaTest, SmallerBatchAfterReserveMatchesCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda());
  cuda.reserve(batch_ * 4);
  const std::size_t bytes = cuda.workspace_bytes();
  EXPECT_LE(max_abs_difference(run_cuda(cuda, 2, inputs(1.0, false)), run_cpu(2, inputs(1.0, false))), kFp32Tolerance);
  EXPECT_EQ(cuda.workspace_bytes(), bytes) << "a smaller batch must not reallocate";
}

TEST_F(BigGanCudaTest, Tf32StaysCloseToCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda(BigGanPrecision::Tf32));
  EXPECT_LE(max_abs_difference(run_cuda(cuda, batch_, inputs(0.4, false)), run_cpu(batch_, inputs(0.4, false))),
            kTf32Tolerance);
}

TEST_F(BigGanCudaTest, FullSizeRandomModelRunsAndStaysFinite) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const BigGanConfig config = biggan_deep_256_config();
  BigGanGenerator cuda(random_biggan_weights(config, 3), BigGanCudaTest::cuda());
  const testing::OneHotBatch samples(config, {5, 7}, 0.1f);
  std::vector<float> images(static_cast<std::size_t>(samples.batch()) * 3 * 256 * 256);
  cuda.forward_to_host(samples.batch(), samples.inputs(), images.data());
  EXPECT_TRUE(testing::within_tanh_range(images));
}

// Hooks see host copies on CUDA and their edits flow on: an edit of gen_z and of a GenBlock's output moves the CUDA
// images as it moves the CPU's.
TEST_F(BigGanCudaTest, ActivationHooksSeeAndEditTheSameValuesAsOnTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  BigGanGenerator cuda = BigGanGenerator::load(kWeights, BigGanCudaTest::cuda());
  const auto hook_for = [](std::vector<std::vector<float>>& seen) {
    return [&seen](const BigGanActivation& activation) {
      const std::size_t count =
          static_cast<std::size_t>(activation.batch) * activation.channels * activation.height * activation.width;
      seen.emplace_back(activation.data, activation.data + count);
      for (std::size_t index = 0; index < count; index += 7) activation.data[index] *= 0.5f;  // the edit
    };
  };
  std::vector<std::vector<float>> cpu_seen, cuda_seen;
  cpu_.set_activation_hook(hook_for(cpu_seen));
  cuda.set_activation_hook(hook_for(cuda_seen));
  const std::vector<float> expected = run_cpu(batch_, inputs(0.4, false));
  const std::vector<float> actual = run_cuda(cuda, batch_, inputs(0.4, false));
  cpu_.set_activation_hook({});
  ASSERT_EQ(cuda_seen.size(), cpu_seen.size());
  // Inner activations are not bounded by tanh: the images' 1e-4 is taken relative to each one's largest value.
  for (std::size_t module = 0; module < cpu_seen.size(); ++module) {
    float largest = 1.0f;
    for (const float value : cpu_seen[module]) largest = std::max(largest, std::fabs(value));
    EXPECT_LE(max_abs_difference(cuda_seen[module], cpu_seen[module]), kFp32Tolerance * largest) << "module " << module;
  }
  EXPECT_LE(max_abs_difference(actual, expected), kFp32Tolerance);
  EXPECT_GT(max_abs_difference(expected, run_cpu(batch_, inputs(0.4, false))), 100.0f * kFp32Tolerance)
      << "the edits did not change the images";
}

}  // namespace
}  // namespace genint
