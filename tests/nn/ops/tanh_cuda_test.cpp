// tanh on CUDA against the CPU twin over [−10, 10] (both tails and the steep middle).
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/tanh.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(TanhCuda, MatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const std::int64_t count = 50001;
  const auto input = testing::seeded_uniform(count, 69, -10.0f, 10.0f);
  std::vector<float> output(count);
  tanh_forward_cpu(input.data(), count, output.data());
  const auto device_values = to_device(input);
  tanh_forward(OpTarget::cuda(), device_data<float>(device_values), count, device_data<float>(device_values));
  // CUDA's tanhf is within 2 ulp, glibc's within 1: 3 ulps of values ≤ 1 is 3.6e-7.
  testing::expect_all_close(from_device<float>(device_values, count), output, 3.6e-7, 0.0, "output");
}

}  // namespace
}  // namespace genint
