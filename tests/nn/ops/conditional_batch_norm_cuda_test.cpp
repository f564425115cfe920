// BigGAN's conditional batch norm on CUDA against the CPU twin (per-channel stats, per-sample gain/bias), alone and
// with the fused ReLU on float32 and bfloat16 storage. Skips without a GPU.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/op_test_support.h"
#include "nn/ops/relu.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

// spatial 33·17 = 561: more than two strides of a 256-thread block row, the last one partial.
const ConditionalBatchNormShape kShape{3, 5, 33 * 17};
const std::size_t kTotal = 3U * 5U * 33U * 17U;

struct Case {
  std::vector<float> input = testing::seeded_uniform(kTotal, 61, -4.0f, 4.0f);
  std::vector<float> mean = testing::seeded_uniform(5, 62, -1.0f, 1.0f),
                     var = testing::seeded_uniform(5, 63, 0.1f, 2.0f);
  std::vector<float> gain = testing::seeded_uniform(15, 64, 0.5f, 1.5f);
  std::vector<float> bias = testing::seeded_uniform(15, 65, -1.0f, 1.0f);

  // The CPU twin on `values`, then ReLU when asked.
  std::vector<float> expected(const std::vector<float>& values, bool relu) const {
    std::vector<float> output(kTotal);
    conditional_batch_norm_forward_cpu(values.data(), kShape, mean.data(), var.data(), gain.data(), bias.data(), 1e-4f,
                                       output.data());
    if (relu) relu_forward_cpu(output.data(), static_cast<std::int64_t>(kTotal), output.data());
    return output;
  }
};

// The statistics and affine of a Case on the device.
struct DeviceCase {
  explicit DeviceCase(const Case& data)
      : mean(to_device(data.mean)), var(to_device(data.var)), gain(to_device(data.gain)), bias(to_device(data.bias)) {}
  ConditionalBatchNormParameters parameters(bool relu) const {
    ConditionalBatchNormParameters result;
    result.mean = device_data<float>(mean);
    result.var = device_data<float>(var);
    result.gain = device_data<float>(gain);
    result.bias = device_data<float>(bias);
    result.eps = 1e-4f;
    result.relu = relu;
    return result;
  }
  DeviceBuffer mean, var, gain, bias;
};

std::vector<std::uint16_t> to_bfloat16(const std::vector<float>& values) {
  std::vector<std::uint16_t> result(values.size());
  float_to_bfloat16_cpu(values.data(), static_cast<std::int64_t>(values.size()), result.data());
  return result;
}

std::vector<float> widened(const std::vector<std::uint16_t>& values) {
  std::vector<float> result(values.size());
  bfloat16_to_float_cpu(values.data(), static_cast<std::int64_t>(values.size()), result.data());
  return result;
}

TEST(ConditionalBatchNormCuda, ForwardMatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const Case data;
  const DeviceCase device(data);
  for (const bool relu : {false, true}) {
    const auto device_input = to_device(data.input);
    DeviceBuffer device_output(kTotal * sizeof(float));
    conditional_batch_norm_forward(OpTarget::cuda(), device_data<float>(device_input), kShape, device.parameters(relu),
                                   device_data<float>(device_output));
    // IEEE division and sqrt on both sides; nvcc fuses the final multiply-add: ≤ 1 ulp of outputs up to ~20.
    testing::expect_all_close(from_device<float>(device_output, kTotal), data.expected(data.input, relu), 1e-6, 1e-6,
                              relu ? "output with relu" : "output");
  }
}

TEST(ConditionalBatchNormCuda, Bfloat16StorageMatchesTheRoundedCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const Case data;
  const DeviceCase device(data);
  // float32 in, bf16 out: the twin's float32 result rounded once.
  const auto float_input = to_device(data.input);
  DeviceBuffer bf16_output(kTotal * sizeof(std::uint16_t));
  conditional_batch_norm_forward(OpTarget::cuda(), device_data<float>(float_input), kShape, device.parameters(true),
                                 device_data<std::uint16_t>(bf16_output));
  std::vector<float> expected = data.expected(data.input, true);
  round_to_bfloat16_cpu(expected.data(), static_cast<std::int64_t>(kTotal));
  // The float32 sums may differ by the fused multiply-add's ulp, which can move a rounding to the neighbouring
  // bf16 value: one bf16 ulp is 2^-8 relative.
  testing::expect_all_close(widened(from_device<std::uint16_t>(bf16_output, kTotal)), expected, 1e-6, 4e-3,
                            "float32 → bf16");
  // bf16 in, bf16 out (in place): the twin on the bf16 values, rounded once.
  const std::vector<std::uint16_t> bf16_values = to_bfloat16(data.input);
  const auto bf16_input = to_device(bf16_values);
  conditional_batch_norm_forward(OpTarget::cuda(), device_data<std::uint16_t>(bf16_input), kShape,
                                 device.parameters(true), device_data<std::uint16_t>(bf16_input));
  expected = data.expected(widened(bf16_values), true);
  round_to_bfloat16_cpu(expected.data(), static_cast<std::int64_t>(kTotal));
  testing::expect_all_close(widened(from_device<std::uint16_t>(bf16_input, kTotal)), expected, 1e-6, 4e-3,
                            "bf16 → bf16");
}

TEST(ConditionalBatchNorm, Bfloat16StorageIsRefusedOnTheCpu) {
  const Case data;
  std::vector<std::uint16_t> output(kTotal);
  ConditionalBatchNormParameters parameters;
  parameters.mean = data.mean.data();
  parameters.var = data.var.data();
  parameters.gain = data.gain.data();
  parameters.bias = data.bias.data();
  parameters.eps = 1e-4f;
  EXPECT_THROW(conditional_batch_norm_forward(OpTarget::cpu(), data.input.data(), kShape, parameters, output.data()),
               Error);
}

}  // namespace
}  // namespace genint
