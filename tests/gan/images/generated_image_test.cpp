// The generator-image converter (gan/images): quantization as an image file would store the generator's output,
// and refusal of non-finite values without touching the output.
#include "gan/images/generated_image.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

namespace genint {
namespace {

TEST(GeneratedImageConverter, QuantizesLikeAnImageFileAndRefusesNonFiniteValues) {
  EXPECT_EQ(quantize_generated_value(-1.0f), 0);
  EXPECT_EQ(quantize_generated_value(1.0f), 255);
  EXPECT_EQ(quantize_generated_value(0.0f), 128);  // 127.5 rounds to even
  EXPECT_EQ(quantize_generated_value(-3.0f), 0);
  EXPECT_EQ(quantize_generated_value(7.0f), 255);
  GeneratedImageConverter converter(2, 2, GeneratedLayout::Uint8Hwc);
  std::vector<float> image(12, 0.5f);
  std::vector<std::uint8_t> output(12, 7);
  ASSERT_TRUE(converter.convert(image.data(), output.data()));
  EXPECT_EQ(output, std::vector<std::uint8_t>(12, 191));  // (0.5 + 1) · 127.5 = 191.25
  image[5] = std::numeric_limits<float>::quiet_NaN();
  std::fill(output.begin(), output.end(), std::uint8_t{7});
  EXPECT_FALSE(converter.convert(image.data(), output.data()));
  EXPECT_EQ(output, std::vector<std::uint8_t>(12, 7));
}

}  // namespace
}  // namespace genint
