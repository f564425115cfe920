// Nearest ×2 upsampling against PyTorch 1.13's F.interpolate(scale_factor=2, mode='nearest'); other factors
// against the definition.
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

TEST(Upsample, EveryFactorRepeatsEachValueInBothDirections) {
  // Factors other than 2 (the golden's) take the generic row path: output (y, x) is input (y / f, x / f).
  const std::int64_t planes = 2;
  const int height = 3, width = 5;
  std::vector<float> input(static_cast<std::size_t>(planes * height * width));
  for (std::size_t index = 0; index < input.size(); ++index) input[index] = static_cast<float>(index);
  for (const int factor : {1, 2, 3, 4}) {
    const int output_height = height * factor, output_width = width * factor;
    std::vector<float> output(static_cast<std::size_t>(planes * output_height * output_width), -1.0f);
    upsample_nearest_forward_cpu(input.data(), planes, height, width, factor, output.data());
    for (std::int64_t plane = 0; plane < planes; ++plane) {
      for (int y = 0; y < output_height; ++y) {
        for (int x = 0; x < output_width; ++x) {
          ASSERT_EQ(output[static_cast<std::size_t>((plane * output_height + y) * output_width + x)],
                    input[static_cast<std::size_t>((plane * height + y / factor) * width + x / factor)])
              << "factor " << factor << " plane " << plane << " at " << y << ", " << x;
        }
      }
    }
  }
}

TEST(Upsample, RejectsAZeroFactor) {
  float value = 0.0f;
  EXPECT_THROW(upsample_nearest_forward_cpu(&value, 1, 1, 1, 0, &value), Error);
}

}  // namespace
}  // namespace genint
