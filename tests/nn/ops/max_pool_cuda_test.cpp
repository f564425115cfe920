// Max pooling on CUDA against its CPU twin: forward, argmax and the atomics-free backward, bit for bit, on a
// ResNet-stem-like odd shape with deliberate ties and a ceil_mode one; skips without a GPU.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "nn/ops/max_pool.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(MaxPoolCuda, ForwardArgmaxAndBackwardAreBitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  // The third: ceil_mode with odd sizes (VGG's pools in AdaIN), so the last window of each row and column is partial.
  for (const MaxPoolShape shape : {MaxPoolShape{3, 4, 57, 61, 3, 2, 1}, MaxPoolShape{2, 3, 20, 17, 2, 1, 1},
                                   MaxPoolShape{2, 3, 33, 31, 2, 2, 0, true}}) {
    const std::size_t input_count = static_cast<std::size_t>(shape.batch) * shape.channels * shape.height * shape.width;
    const std::size_t output_count =
        static_cast<std::size_t>(shape.batch) * shape.channels * shape.output_height() * shape.output_width();
    auto input = testing::seeded_uniform(input_count, 31, -2.0f, 2.0f);
    for (auto& value : input) value = std::round(value * 4.0f) / 4.0f;  // many ties: the first must win on both
    const auto grad_output = testing::seeded_uniform(output_count, 32, -1.0f, 1.0f);
    std::vector<float> output(output_count), grad_input(input_count);
    std::vector<std::int32_t> argmax(output_count);
    max_pool_forward_cpu(input.data(), shape, output.data(), argmax.data());
    max_pool_backward_cpu(grad_output.data(), argmax.data(), shape, grad_input.data());
    const auto device_input = to_device(input), device_grad_output = to_device(grad_output);
    const auto device_output = to_device(output), device_grad_input = to_device(grad_input);
    const auto device_argmax = to_device(std::vector<std::int32_t>(output_count, -1));
    max_pool_forward(OpTarget::cuda(), device_data<float>(device_input), shape, device_data<float>(device_output),
                     device_data<std::int32_t>(device_argmax));
    max_pool_backward(OpTarget::cuda(), device_data<float>(device_grad_output),
                      device_data<std::int32_t>(device_argmax), shape, device_data<float>(device_grad_input));
    // Same comparisons and the same addition order per input cell: exact.
    testing::expect_all_close(from_device<float>(device_output, output_count), output, 0.0, 0.0, "output");
    EXPECT_EQ(from_device<std::int32_t>(device_argmax, output_count), argmax);
    testing::expect_all_close(from_device<float>(device_grad_input, input_count), grad_input, 0.0, 0.0, "grad_input");
  }
}

}  // namespace
}  // namespace genint
