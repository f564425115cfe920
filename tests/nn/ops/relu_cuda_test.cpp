// ReLU forward and backward on CUDA against the CPU twin, bit for bit (selections only).
// An odd count leaves the last block partial; skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/relu.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(ReluCuda, ForwardAndBackwardAreBitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const std::int64_t count = 100003;
  const auto input = testing::seeded_uniform(count, 51, -1.0f, 1.0f);
  const auto grad_output = testing::seeded_uniform(count, 52, -1.0f, 1.0f);
  std::vector<float> output(count), grad_input(count);
  relu_forward_cpu(input.data(), count, output.data());
  relu_backward_cpu(grad_output.data(), output.data(), count, grad_input.data());
  const auto device_values = to_device(input), device_grad = to_device(grad_output);
  relu_forward(OpTarget::cuda(), device_data<float>(device_values), count,
               device_data<float>(device_values));  // in place
  relu_backward(OpTarget::cuda(), device_data<float>(device_grad), device_data<float>(device_values), count,
                device_data<float>(device_grad));
  testing::expect_all_close(from_device<float>(device_values, count), output, 0.0, 0.0, "output");
  testing::expect_all_close(from_device<float>(device_grad, count), grad_input, 0.0, 0.0, "grad_input");
}

}  // namespace
}  // namespace genint
