// The AdaIN network on CUDA held to its CPU forward: encoder features, style statistics, AdaIN features and the
// stylized output of the demo network and a full-width one, in fp32, TF32 and bf16, on the default and an own stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "nn/core/cuda_stream.h"
#include "nn/models/adain_network.h"
#include "nn/models/adain_test_weights.h"
#include "nn/models/procedural_weights.h"
#include "support/cuda_test_support.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

const std::string kDemoWeights = GENINT_DEMO_DIR "/transfer-network.safetensors";  // widths 16/32/64/128, trained

// Errors are max |CUDA − CPU| over max |CPU|, per tensor. How far each precision may go, from what the CPU shows:
// the bf16 twin (8 significant bits: 2^-9 relative per rounding, three roundings per conv, ~2e-3 per conv) lands
// 0.6e-2–4.0e-2 of the scale from float32 on the full-width network and 0.6e-2–4.8e-2 on the trained demo (largest:
// style σ, relu3_1, AdaIN's features), measured on the CPU 2026-12-04 with exactly these inputs: the 10–19 convs (and
// AdaIN's division by σ_c) amplify a per-conv relative error up to ~25×.
// fp32: cuDNN sums in other orders than im2col + sgemm, and its Winograd/FFT algorithms add transform rounding:
// ≤ 1e-5 of a conv's scale, ×25 at most → ≤ 2.5e-4. 5e-4 leaves 2× on that pessimistic bound and is still ~4× below
// what a TF32 leak into fp32 would show (below); a layout, indexing or ordering error gives O(1).
constexpr double kFp32Relative = 5e-4;
// TF32: operands rounded to 11 significant bits (2^-12 relative), no rounding of the sums: ~10× less per conv than
// bf16's three 8-bit roundings, so ≤ 5e-3 expected from the CPU's bf16 figures (4.8e-2 / 10); 3e-2 leaves 6×.
constexpr double kTf32Relative = 3e-2;
// bf16 against the CPU twin: the same roundings, but float32 sums in another order flip some values to the
// neighbouring bf16 number, and the flips grow through the layers up to bf16 noise itself (as ResNet's bf16 test
// says): the twin-vs-float32 figures above, ≤ 4.8e-2, with 5× → 0.25. Against float32 the same bound holds.
constexpr double kBf16Relative = 0.25;
// bf16 really in effect: the twin's stylized output leaves float32's by 2.2e-2 here; float32 paths agree ≤ 5e-4.
constexpr double kBf16InEffect = 2e-3;

// Contents and styles of two sizes whose relu4_1 planes (ceil_mode pools) are odd and not square: 36×44 → 5×6.
constexpr int kContentHeight = 36, kContentWidth = 44, kStyleSize = 40;

Tensor host_images(int batch, int height, int width, std::uint64_t seed) {
  const std::vector<float> values =
      testing::procedural_uniform(seed, static_cast<std::size_t>(batch) * 3 * height * width, 0.0, 1.0);
  Tensor images = Tensor::empty(Shape{batch, 3, height, width}, DType::Float32, Device::Cpu);
  images.copy_from_host(values.data(), values.size() * sizeof(float));
  return images;
}

// A host tensor's copy on the network's device, queued on `stream` behind its earlier work.
Tensor on_device(const Tensor& host, Device device, void* stream) {
  if (device == Device::Cpu) return host;
  Tensor copy = Tensor::empty(host.shape(), DType::Float32, Device::Cuda);
  copy.copy_from_host(host.data<float>(), host.byte_count(), stream);
  return copy;
}

// Read on the host after the network's work: the copy is queued on the network's stream and returns once the bytes
// have arrived (a blocking copy on the legacy stream would not wait for a non-blocking stream's work).
std::vector<float> values_of(const Tensor& tensor, void* stream) {
  std::vector<float> values(static_cast<std::size_t>(tensor.element_count()));
  tensor.copy_to_host(values.data(), values.size() * sizeof(float), stream);
  return values;
}

// max |actual − expected| / max |expected|, printed and recorded; a size mismatch or an all-zero reference gives 1e30.
double relative_error(const std::string& what, const std::vector<float>& actual, const std::vector<float>& expected) {
  double worst = 0.0, scale = 0.0;
  for (std::size_t index = 0; index < std::min(actual.size(), expected.size()); ++index) {
    worst = std::max(worst, std::fabs(static_cast<double>(actual[index]) - expected[index]));
    scale = std::max(scale, std::fabs(static_cast<double>(expected[index])));
  }
  const double error = actual.size() == expected.size() && scale > 0.0 ? worst / scale : 1e30;
  ::testing::Test::RecordProperty(what, std::to_string(error));
  std::printf("%-28s max |CUDA - CPU| / scale %.3g\n", what.c_str(), error);
  return error;
}

// Everything one run of the network yields, on the host: the four encoder levels of the contents, the styles'
// statistics, AdaIN's features at α = 0.6 with one style per content and the stylized output at α = 1 with the first
// style shared by every content (styles() = 1), both from statistics computed once.
struct NetworkRun {
  std::vector<std::vector<float>> values;
  static constexpr const char* kNames[] = {"relu1_1",    "relu2_1",     "relu3_1",       "relu4_1",
                                           "style_mean", "style_sigma", "adain_alpha06", "stylized_shared_style"};
};

NetworkRun run(const std::string& weights, const AdaINNetworkConfig& config) {
  AdaINNetwork network(weights, config);
  void* stream = config.stream;
  const Tensor contents = on_device(host_images(2, kContentHeight, kContentWidth, 71), config.device, stream);
  const Tensor styles = on_device(host_images(2, kStyleSize, kStyleSize, 72), config.device, stream);
  NetworkRun result;
  const AdaINEncoderFeatures features = network.encode(contents);
  for (const Tensor* level : {&features.relu1_1, &features.relu2_1, &features.relu3_1, &features.relu4_1})
    result.values.push_back(values_of(*level, stream));
  const AdaINStyleStatistics statistics = network.style_statistics(styles);
  result.values.push_back(values_of(statistics.mean, stream));
  result.values.push_back(values_of(statistics.sigma, stream));
  result.values.push_back(values_of(network.transfer_features(contents, statistics, 0.6f), stream));
  const AdaINStyleStatistics first{statistics.mean.slice_rows(0, 1), statistics.sigma.slice_rows(0, 1)};
  const Tensor stylized = network.stylize(contents, first, 1.0f);
  EXPECT_EQ(stylized.shape(), (Shape{2, 3, 40, 48}));  // 8 × relu4_1's 5×6
  result.values.push_back(values_of(stylized, stream));
  return result;
}

AdaINNetworkConfig config_of(Device device, AdaINPrecision precision, void* stream = nullptr) {
  AdaINNetworkConfig config;
  config.device = device;
  config.precision = precision;
  config.stream = stream;
  return config;
}

// Every tensor of the CUDA run within `tolerance` of the CPU run (float32, or the bf16 twin for bf16).
void expect_cuda_matches_cpu(const std::string& weights, AdaINPrecision precision, double tolerance) {
  const AdaINPrecision reference = precision == AdaINPrecision::Tf32 ? AdaINPrecision::Float32 : precision;
  const NetworkRun cpu = run(weights, config_of(Device::Cpu, reference));
  const NetworkRun cuda = run(weights, config_of(Device::Cuda, precision));
  for (std::size_t index = 0; index < cpu.values.size(); ++index)
    EXPECT_LE(relative_error(NetworkRun::kNames[index], cuda.values[index], cpu.values[index]), tolerance)
        << NetworkRun::kNames[index] << " (" << adain_precision_name(precision) << ")";
}

class AdaINNetworkCuda : public ::testing::Test {
 protected:
  void SetUp() override { GENINT_REQUIRE_CUDA_DEVICE(); }
  // The full-width network of the golden test, written once per test (~28 MB).
  std::string full_width_weights() {
    testing::write_adain_full_width_weights(directory_.file("full.safetensors"));
    return directory_.file("full.safetensors");
  }

 private:
  testing::TemporaryDirectory directory_{"adain_network_cuda"};
};

TEST_F(AdaINNetworkCuda, DemoFp32MatchesCpu) {
  expect_cuda_matches_cpu(kDemoWeights, AdaINPrecision::Float32, kFp32Relative);
}

TEST_F(AdaINNetworkCuda, FullWidthFp32MatchesCpu) {
  expect_cuda_matches_cpu(full_width_weights(), AdaINPrecision::Float32, kFp32Relative);
}

TEST_F(AdaINNetworkCuda, DemoTf32MatchesCpu) {
  expect_cuda_matches_cpu(kDemoWeights, AdaINPrecision::Tf32, kTf32Relative);
}

TEST_F(AdaINNetworkCuda, FullWidthTf32MatchesCpu) {
  expect_cuda_matches_cpu(full_width_weights(), AdaINPrecision::Tf32, kTf32Relative);
}

TEST_F(AdaINNetworkCuda, DemoBf16MatchesTheCpuTwin) {
  expect_cuda_matches_cpu(kDemoWeights, AdaINPrecision::Bf16, kBf16Relative);
}

TEST_F(AdaINNetworkCuda, FullWidthBf16MatchesTheCpuTwinAndRounds) {
  const std::string weights = full_width_weights();
  expect_cuda_matches_cpu(weights, AdaINPrecision::Bf16, kBf16Relative);
  // Against float32 on the CPU: within bf16's reach, and far enough that the bf16 convolutions really ran.
  const std::vector<float> exact = run(weights, config_of(Device::Cpu, AdaINPrecision::Float32)).values.back();
  const std::vector<float> rounded = run(weights, config_of(Device::Cuda, AdaINPrecision::Bf16)).values.back();
  const double error = relative_error("bf16 stylized vs fp32 Cpu", rounded, exact);
  EXPECT_LE(error, kBf16Relative);
  EXPECT_GE(error, kBf16InEffect);
}

// On an own non-blocking stream (ordered with nothing but itself): the same results as the CPU, inputs uploaded and
// results read on that stream only, style statistics computed once and reused by calls of two batch sizes, and no
// memory asked for once a call of each shape has run.
TEST_F(AdaINNetworkCuda, OwnStreamMatchesCpuAndReusesStyleStatistics) {
  const CudaStream stream(0);
  const std::string weights = full_width_weights();
  AdaINNetwork cpu(weights), cuda(weights, config_of(Device::Cuda, AdaINPrecision::Float32, stream.get()));
  const Tensor styles = host_images(1, kStyleSize, kStyleSize, 81);
  const AdaINStyleStatistics cpu_style = cpu.style_statistics(styles);
  const Tensor device_styles = on_device(styles, Device::Cuda, stream.get());  // alive until read back below
  const AdaINStyleStatistics cuda_style = cuda.style_statistics(device_styles);
  std::size_t allocations = 0;
  for (int call = 0; call < 4; ++call) {  // batch 3, 1, 3, 1: once each shape has run, no call may allocate
    const int batch = call % 2 == 0 ? 3 : 1;
    const Tensor contents = host_images(batch, kContentHeight, kContentWidth, 90 + static_cast<std::uint64_t>(call));
    const Tensor expected = cpu.stylize(contents, cpu_style, 0.8f);
    const Tensor device_contents = on_device(contents, Device::Cuda, stream.get());  // read by the queued stylize
    const Tensor actual = cuda.stylize(device_contents, cuda_style, 0.8f);
    const std::string what = "own stream, call " + std::to_string(call);
    EXPECT_LE(relative_error(what, values_of(actual, stream.get()), values_of(expected, nullptr)), kFp32Relative);
    if (call == 1) allocations = cuda.arena().system_allocations();
  }
  EXPECT_EQ(cuda.arena().system_allocations(), allocations) << "the arena grew after both shapes had run";
  cuda.synchronize();  // nothing left queued on the stream; the statistics stay valid
  EXPECT_LE(relative_error("own stream, style sigma Cpu", values_of(cuda_style.sigma, stream.get()),
                           values_of(cpu_style.sigma, nullptr)),
            kFp32Relative);
}

}  // namespace
}  // namespace genint
