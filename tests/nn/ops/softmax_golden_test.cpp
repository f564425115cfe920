// Last-dimension softmax against PyTorch 1.13's F.softmax(x, -1), one row shifted by 500 (overflow check).
#include <gtest/gtest.h>

#include <vector>

#include "nn/ops/softmax.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(SoftmaxGolden, LastDimensionMatchesTorch) {
  const auto golden = testing::open_nn_golden("softmax");
  const std::int64_t rows = static_cast<std::int64_t>(golden.dimension("input", 0)) * golden.dimension("input", 1);
  const int columns = golden.dimension("input", 2);
  const auto input = golden.read<float>("input");
  std::vector<float> output(input.size());
  softmax_forward_cpu(input.data(), rows, columns, output.data());
  // Probabilities in [0, 1]; torch uses float32 exp and sum (we double): ~1e-7 absolute, a few ulps relative.
  testing::expect_all_close(output, golden.read<float>("output"), 2e-7, 1e-5, "output");
}

}  // namespace
}  // namespace genint
