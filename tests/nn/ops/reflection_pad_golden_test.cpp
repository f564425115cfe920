// Reflection padding against PyTorch 1.13's nn.ReflectionPad2d((2, 1, 3, 0)), and the pad-size check.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/reflection_pad.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(ReflectionPadGolden, MatchesTorchExactly) {
  const auto golden = testing::open_nn_golden("reflection_pad");
  const auto pads = golden.read<std::int32_t>("pads_left_right_top_bottom");
  ReflectionPadShape shape;
  shape.planes = static_cast<std::int64_t>(golden.dimension("input", 0)) * golden.dimension("input", 1);
  shape.height = golden.dimension("input", 2);
  shape.width = golden.dimension("input", 3);
  shape.left = pads.at(0);
  shape.right = pads.at(1);
  shape.top = pads.at(2);
  shape.bottom = pads.at(3);
  std::vector<float> output(static_cast<std::size_t>(shape.planes) * shape.output_height() * shape.output_width());
  reflection_pad_forward_cpu(golden.read<float>("input").data(), shape, output.data());
  testing::expect_all_close(output, golden.read<float>("output"), 0.0, 0.0, "output");  // copies: exact
}

TEST(ReflectionPad, RejectsAPadAsLargeAsItsDimension) {
  ReflectionPadShape shape;
  shape.planes = 1;
  shape.height = 3;
  shape.width = 4;
  shape.top = 3;
  try {
    check_reflection_pad_shape(shape);
    FAIL() << "top pad 3 of height 3 was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("top pad 3"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace genint
