// BigGAN's conditional batch norm on CUDA against the CPU twin (per-channel stats, per-sample gain/bias).
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/conditional_batch_norm.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(ConditionalBatchNormCuda, ForwardMatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const ConditionalBatchNormShape shape{3, 5, 33 * 17};
  const std::size_t total = 3U * 5U * 33U * 17U;
  const auto input = testing::seeded_uniform(total, 61, -4.0f, 4.0f);
  const auto mean = testing::seeded_uniform(5, 62, -1.0f, 1.0f), var = testing::seeded_uniform(5, 63, 0.1f, 2.0f);
  const auto gain = testing::seeded_uniform(15, 64, 0.5f, 1.5f), bias = testing::seeded_uniform(15, 65, -1.0f, 1.0f);
  std::vector<float> output(total);
  conditional_batch_norm_forward_cpu(input.data(), shape, mean.data(), var.data(), gain.data(), bias.data(), 1e-4f,
                                     output.data());
  const auto device_input = to_device(input), device_mean = to_device(mean), device_var = to_device(var);
  const auto device_gain = to_device(gain), device_bias = to_device(bias), device_output = to_device(output);
  conditional_batch_norm_forward_cuda(device_data<float>(device_input), shape, device_data<float>(device_mean),
                                      device_data<float>(device_var), device_data<float>(device_gain),
                                      device_data<float>(device_bias), 1e-4f, device_data<float>(device_output),
                                      nullptr);
  // IEEE division and sqrt on both sides; nvcc fuses the final multiply-add: ≤ 1 ulp of outputs up to ~20.
  testing::expect_all_close(from_device<float>(device_output, total), output, 1e-6, 1e-6, "output");
}

}  // namespace
}  // namespace genint
