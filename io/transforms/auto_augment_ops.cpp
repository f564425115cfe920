// torchvision's uint8 colour and histogram operations written out in float32 and integer steps that round
// exactly where torch's separate tensor kernels round (this file is built with -ffp-contract=off).
#include "io/transforms/auto_augment_ops.h"

#include <algorithm>
#include <array>
#include <cstdint>

#include "nn/core/error.h"

namespace genint::io::torchvision_ops {
namespace {

using ValueTable = std::array<float, 256>;

// torchvision's _blend(a, b, ratio) = (ratio·a + (1 − ratio)·b).clamp(0, 255).to(uint8). torch computes each
// product in its own float32 kernel (ratio and 1 − ratio are Python doubles cast to float32), then the sum;
// the two tables hold the rounded products so the sum below rounds exactly as torch's add does.
struct BlendTables {
  ValueTable first;
  ValueTable second;
  explicit BlendTables(double ratio) {
    const float first_weight = static_cast<float>(ratio);
    const float second_weight = static_cast<float>(1.0 - ratio);
    for (int value = 0; value < 256; ++value) {
      first[value] = first_weight * static_cast<float>(value);
      second[value] = second_weight * static_cast<float>(value);
    }
  }
};

// clamp(0, 255) then .to(uint8), which truncates towards zero.
std::uint8_t clamp_truncate(float value) {
  return static_cast<std::uint8_t>(std::clamp(value, 0.0f, 255.0f));
}

std::uint8_t blend(const BlendTables& tables, std::uint8_t first, std::uint8_t second) {
  return clamp_truncate(tables.first[first] + tables.second[second]);
}

// rgb_to_grayscale on uint8: (0.2989·r + 0.587·g + 0.114·b) in float32, left to right, truncated.
struct GreyTables {
  ValueTable red, green, blue;
  GreyTables() {
    for (int value = 0; value < 256; ++value) {
      red[value] = 0.2989f * static_cast<float>(value);
      green[value] = 0.587f * static_cast<float>(value);
      blue[value] = 0.114f * static_cast<float>(value);
    }
  }
  std::uint8_t grey(const std::uint8_t* pixel) const {
    const float red_green = red[pixel[0]] + green[pixel[1]];
    return static_cast<std::uint8_t>(red_green + blue[pixel[2]]);
  }
};

const GreyTables& grey_tables() {
  static const GreyTables tables;
  return tables;
}

void check_factor(double factor, const char* name) {
  GENINT_CHECK(factor >= 0.0, std::string(name) + ": factor must be non-negative, got " + std::to_string(factor));
}

void apply_table(std::uint8_t* image, std::size_t values, const std::array<std::uint8_t, 256>& table) {
  for (std::size_t index = 0; index < values; ++index) image[index] = table[image[index]];
}

// The smoothed value at an interior pixel: round(Σ neighbours + 5·centre) / 13). torch convolves in float32
// and rounds half to even, but S/13 is never within 1/26 of a half (2S = 13·odd has no solution), so the
// integer rounding below equals it for every input.
std::uint8_t smoothed(const std::uint8_t* centre, std::size_t row_bytes) {
  const std::uint8_t* above = centre - row_bytes;
  const std::uint8_t* below = centre + row_bytes;
  const int sum =
      above[-3] + above[0] + above[3] + centre[-3] + 5 * centre[0] + centre[3] + below[-3] + below[0] + below[3];
  return static_cast<std::uint8_t>((sum + 6) / 13);
}

}  // namespace

void adjust_brightness(std::uint8_t* image, std::size_t pixels, double factor) {
  check_factor(factor, "adjust_brightness");
  const BlendTables tables(factor);
  std::array<std::uint8_t, 256> table;
  for (int value = 0; value < 256; ++value) table[value] = blend(tables, static_cast<std::uint8_t>(value), 0);
  apply_table(image, pixels * 3, table);
}

void adjust_saturation(std::uint8_t* image, std::size_t pixels, double factor) {
  check_factor(factor, "adjust_saturation");
  const BlendTables tables(factor);
  const GreyTables& grey = grey_tables();
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
    std::uint8_t* value = image + pixel * 3;
    const std::uint8_t pixel_grey = grey.grey(value);
    for (int channel = 0; channel < 3; ++channel) value[channel] = blend(tables, value[channel], pixel_grey);
  }
}

void adjust_contrast(std::uint8_t* image, std::size_t pixels, double factor) {
  check_factor(factor, "adjust_contrast");
  GENINT_CHECK(pixels > 0, "adjust_contrast: empty image");
  const GreyTables& grey = grey_tables();
  std::uint64_t grey_sum = 0;
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) grey_sum += grey.grey(image + pixel * 3);
  // torch.mean in float32: a sum of integers, exact while it stays below 2^24 (every image up to 65,793
  // pixels, 256×256 included), then one float32 division by the pixel count.
  const float mean = static_cast<float>(grey_sum) / static_cast<float>(pixels);
  const BlendTables tables(factor);
  const float mean_term = static_cast<float>(1.0 - factor) * mean;
  std::array<std::uint8_t, 256> table;
  for (int value = 0; value < 256; ++value) table[value] = clamp_truncate(tables.first[value] + mean_term);
  apply_table(image, pixels * 3, table);
}

void adjust_sharpness(std::uint8_t* image, int width, int height, double factor, std::vector<std::uint8_t>& scratch) {
  check_factor(factor, "adjust_sharpness");
  if (width <= 2 || height <= 2) return;
  const std::size_t row_bytes = std::size_t(width) * 3;
  scratch.assign(image, image + row_bytes * height);  // the smoothed image; its border stays the original
  for (int row = 1; row + 1 < height; ++row) {
    std::uint8_t* destination = scratch.data() + row * row_bytes;
    const std::uint8_t* source = image + row * row_bytes;
    for (std::size_t index = 3; index < row_bytes - 3; ++index)
      destination[index] = smoothed(source + index, row_bytes);
  }
  const BlendTables tables(factor);
  for (std::size_t index = 0; index < row_bytes * height; ++index)
    image[index] = blend(tables, image[index], scratch[index]);
}

void posterize(std::uint8_t* image, std::size_t pixels, int bits) {
  GENINT_CHECK(bits >= 0 && bits <= 8, "posterize: bits must be in 0..8, got " + std::to_string(bits));
  // torchvision: img & -(2^(8 − bits)), i.e. the low 8 − bits bits cleared.
  const auto mask = static_cast<std::uint8_t>(0xFF00u >> bits);
  for (std::size_t index = 0; index < pixels * 3; ++index) image[index] &= mask;
}

void solarize(std::uint8_t* image, std::size_t pixels, double threshold) {
  GENINT_CHECK(threshold >= 0.0 && threshold <= 255.0,
               "solarize: threshold must be in [0, 255], got " + std::to_string(threshold));
  const float threshold_float = static_cast<float>(threshold);  // torch compares uint8 and a float in float32
  std::array<std::uint8_t, 256> table;
  for (int value = 0; value < 256; ++value)
    table[value] = static_cast<std::uint8_t>(static_cast<float>(value) >= threshold_float ? 255 - value : value);
  apply_table(image, pixels * 3, table);
}

void autocontrast(std::uint8_t* image, std::size_t pixels) {
  std::array<std::uint8_t, 3> low{255, 255, 255}, high{0, 0, 0};
  for (std::size_t pixel = 0; pixel < pixels; ++pixel)
    for (int channel = 0; channel < 3; ++channel) {
      low[channel] = std::min(low[channel], image[pixel * 3 + channel]);
      high[channel] = std::max(high[channel], image[pixel * 3 + channel]);
    }
  std::array<std::array<std::uint8_t, 256>, 3> tables;
  for (int channel = 0; channel < 3; ++channel) {
    // scale = 255.0 / (max − min): torch evaluates a Python number divided by a tensor as reciprocal(tensor)
    // · number, two float32 roundings. A constant channel (infinite scale) gets minimum 0 and scale 1.
    const bool constant = low[channel] == high[channel];
    const float minimum = constant ? 0.0f : static_cast<float>(low[channel]);
    const float reciprocal = 1.0f / static_cast<float>(high[channel] - low[channel]);
    const float scale = constant ? 1.0f : reciprocal * 255.0f;
    for (int value = 0; value < 256; ++value)
      tables[channel][value] = clamp_truncate((static_cast<float>(value) - minimum) * scale);
  }
  for (std::size_t pixel = 0; pixel < pixels; ++pixel)
    for (int channel = 0; channel < 3; ++channel)
      image[pixel * 3 + channel] = tables[channel][image[pixel * 3 + channel]];
}

void equalize(std::uint8_t* image, std::size_t pixels) {
  for (int channel = 0; channel < 3; ++channel) {
    std::array<std::int64_t, 256> histogram{};
    for (std::size_t pixel = 0; pixel < pixels; ++pixel) ++histogram[image[pixel * 3 + channel]];
    // step = (count of every value but the highest present one) // 255; 0 leaves the channel as it is.
    int highest = 255;
    while (highest > 0 && histogram[highest] == 0) --highest;
    const std::int64_t step = (static_cast<std::int64_t>(pixels) - histogram[highest]) / 255;
    if (step == 0) continue;
    // lut[v] = (Σ_{u<v} hist[u] + step // 2) // step, clamped to 255: the cumulative sum shifted by one.
    std::array<std::uint8_t, 256> table;
    std::int64_t below = 0;
    for (int value = 0; value < 256; ++value) {
      table[value] = static_cast<std::uint8_t>(std::min<std::int64_t>((below + step / 2) / step, 255));
      below += histogram[value];
    }
    for (std::size_t pixel = 0; pixel < pixels; ++pixel) image[pixel * 3 + channel] = table[image[pixel * 3 + channel]];
  }
}

void invert(std::uint8_t* image, std::size_t pixels) {
  for (std::size_t index = 0; index < pixels * 3; ++index) image[index] = static_cast<std::uint8_t>(255 - image[index]);
}

}  // namespace genint::io::torchvision_ops
