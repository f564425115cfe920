// Nearest upsampling on CUDA against the CPU twin, bit for bit (copies), for factors 2 and 3.
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/upsample.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(UpsampleCuda, NearestIsBitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  for (const int factor : {2, 3}) {
    const std::int64_t planes = 6;
    const int height = 13, width = 9;
    const auto input = testing::seeded_uniform(6U * 13U * 9U, 66, -1.0f, 1.0f);
    const std::size_t output_count = input.size() * static_cast<std::size_t>(factor * factor);
    std::vector<float> output(output_count);
    upsample_nearest_forward_cpu(input.data(), planes, height, width, factor, output.data());
    const auto device_input = to_device(input), device_output = to_device(output);
    upsample_nearest_forward(OpTarget::cuda(), device_data<float>(device_input), planes, height, width, factor,
                             device_data<float>(device_output));
    testing::expect_all_close(from_device<float>(device_output, output_count), output, 0.0, 0.0, "output");
  }
}

}  // namespace
}  // namespace genint
