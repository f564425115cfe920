// Last-dimension softmax on CUDA against the CPU twin, rows wider than a block and a row near 500.
// Skips without a GPU.
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/op_test_support.h"
#include "nn/ops/softmax.h"
#include "support/cuda_test_support.h"
#include "support/golden_file.h"

namespace genint {
namespace {

using testing::device_data;
using testing::from_device;
using testing::to_device;

TEST(SoftmaxCuda, MatchesTheCpuTwin) {
  GENINT_REQUIRE_CUDA_DEVICE();
  const std::int64_t rows = 33;
  const int columns = 1031;
  auto input = testing::seeded_uniform(static_cast<std::size_t>(rows) * columns, 67, -10.0f, 10.0f);
  for (int column = 0; column < columns; ++column) input[5 * columns + column] += 500.0f;
  std::vector<float> output(input.size());
  softmax_forward_cpu(input.data(), rows, columns, output.data());
  const auto device_values = to_device(input);
  softmax_forward(OpTarget::cuda(), device_data<float>(device_values), rows, columns,
                  device_data<float>(device_values));
  // Double exp and sums in another order, rounded to float once: ≤ 1 ulp.
  testing::expect_all_close(from_device<float>(device_values, input.size()), output, 1e-12, 1e-6, "output");
}

}  // namespace
}  // namespace genint
