// Reflection padding on CUDA against the CPU twin, bit for bit (copies), with four different pads.
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/reflection_pad.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(ReflectionPadCuda, IsBitIdenticalToTheCpu) {
  GENINT_REQUIRE_CUDA_DEVICE();
  ReflectionPadShape shape;
  shape.planes = 7;
  shape.height = 11;
  shape.width = 6;
  shape.left = 5;
  shape.right = 2;
  shape.top = 1;
  shape.bottom = 10;
  const auto input = testing::seeded_uniform(7U * 11U * 6U, 68, -1.0f, 1.0f);
  const std::size_t output_count = 7U * static_cast<std::size_t>(shape.output_height() * shape.output_width());
  std::vector<float> output(output_count);
  reflection_pad_forward_cpu(input.data(), shape, output.data());
  const auto device_input = to_device(input), device_output = to_device(output);
  reflection_pad_forward(OpTarget::cuda(), device_data<float>(device_input), shape, device_data<float>(device_output));
  testing::expect_all_close(from_device<float>(device_output, output_count), output, 0.0, 0.0, "output");
}

}  // namespace
}  // namespace genint
