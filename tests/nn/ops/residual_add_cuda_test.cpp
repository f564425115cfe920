// Residual add and its backward on CUDA against the CPU twin, bit for bit (one rounded add per value).
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/residual_add.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(ResidualAddCuda, ForwardAndBackwardAreBitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const std::int64_t count = 70001;
  const auto first = testing::seeded_uniform(count, 53, -1.0f, 1.0f);
  const auto second = testing::seeded_uniform(count, 54, -1.0f, 1.0f);
  std::vector<float> output(count);
  residual_add_forward_cpu(first.data(), second.data(), count, output.data());
  const auto device_first = to_device(first), device_second = to_device(second);
  const auto device_copy = to_device(std::vector<float>(count, -1000.0f));
  residual_add_forward(OpTarget::cuda(), device_data<float>(device_first), device_data<float>(device_second), count,
                       device_data<float>(device_first));
  residual_add_backward(OpTarget::cuda(), device_data<float>(device_second), count, device_data<float>(device_copy),
                        nullptr);
  testing::expect_all_close(from_device<float>(device_first, count), output, 0.0, 0.0, "output");
  testing::expect_all_close(from_device<float>(device_copy, count), second, 0.0, 0.0, "grad copy");
}

}  // namespace
}  // namespace genint
