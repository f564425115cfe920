// Global average pooling on CUDA against the CPU twin, with planes smaller and larger than a warp.
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/global_average_pool.h"
#include "nn/ops/op_test_support.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(GlobalAveragePoolCuda, ForwardAndBackwardMatchTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  for (const int spatial : {7, 49, 3137}) {
    const std::int64_t planes = 37;
    const auto input = testing::seeded_uniform(static_cast<std::size_t>(planes) * spatial, 55, -2.0f, 3.0f);
    const auto grad_output = testing::seeded_uniform(planes, 56, -1.0f, 1.0f);
    std::vector<float> output(planes), grad_input(input.size());
    global_average_pool_forward_cpu(input.data(), planes, spatial, output.data());
    global_average_pool_backward_cpu(grad_output.data(), planes, spatial, grad_input.data());
    const auto device_input = to_device(input), device_grad_output = to_device(grad_output);
    const auto device_output = to_device(output), device_grad_input = to_device(grad_input);
    global_average_pool_forward(OpTarget::cuda(), device_data<float>(device_input), planes, spatial,
                                device_data<float>(device_output));
    global_average_pool_backward(OpTarget::cuda(), device_data<float>(device_grad_output), planes, spatial,
                                 device_data<float>(device_grad_input));
    // Double sums in another order, rounded to float once: ≤ 1 ulp of means ~0.5.
    testing::expect_all_close(from_device<float>(device_output, planes), output, 1e-7, 1e-6, "output");
    testing::expect_all_close(from_device<float>(device_grad_input, input.size()), grad_input, 0.0, 0.0, "grad_input");
  }
}

}  // namespace
}  // namespace genint
