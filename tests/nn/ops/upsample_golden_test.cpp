// Nearest ×2 upsampling against PyTorch 1.13's F.interpolate(scale_factor=2, mode='nearest').
#include <gtest/gtest.h>

#include <vector>

#include "nn/core/error.h"
#include "nn/ops/upsample.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(UpsampleGolden, NearestTimesTwoMatchesTorchExactly) {
  const auto golden = testing::open_nn_golden("upsample");
  const std::int64_t planes = static_cast<std::int64_t>(golden.dimension("input", 0)) * golden.dimension("input", 1);
  const int height = golden.dimension("input", 2);
  const int width = golden.dimension("input", 3);
  std::vector<float> output(static_cast<std::size_t>(planes) * height * width * 4);
  upsample_nearest_forward_cpu(golden.read<float>("input").data(), planes, height, width, 2, output.data());
  testing::expect_all_close(output, golden.read<float>("output"), 0.0, 0.0, "output");  // copies: exact
}

TEST(Upsample, RejectsAZeroFactor) {
  float value = 0.0f;
  EXPECT_THROW(upsample_nearest_forward_cpu(&value, 1, 1, 1, 0, &value), Error);
}

}  // namespace
}  // namespace genint
