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

// torchvision's _blend(a, b, ratio) = (ratio·a + (1 − ratio)·b).clamp(0, 255).to(uint8): each product is its
// own float32 kernel in torch (ratio and 1 − ratio are Python doubles cast to float32), then the sum; the
// clamp, then .to(uint8), which truncates towards zero.
struct BlendWeights {
  float first, second;
  explicit BlendWeights(double ratio) : first(static_cast<float>(ratio)), second(static_cast<float>(1.0 - ratio)) {}
};

std::uint8_t blend_value(BlendWeights weights, float value, float other) {
  const float first = weights.first * value;
  const float second = weights.second * other;
  return static_cast<std::uint8_t>(static_cast<int>(std::min(std::max(first + second, 0.0f), 255.0f)));
}

// blend_value of every value with the value at the same index of `other`, in place. Plain arithmetic on
// contiguous bytes, so the compiler vectorises it (SIMD float operations round exactly as scalar ones).
void blend_in_place(std::uint8_t* values, const std::uint8_t* __restrict other, std::size_t count, double ratio) {
  const BlendWeights weights(ratio);
  for (std::size_t index = 0; index < count; ++index)
    values[index] = blend_value(weights, static_cast<float>(values[index]), static_cast<float>(other[index]));
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

// One interior row of the smoothed image: round((Σ neighbours + 5·centre) / 13) for every value but the first
// and last pixel's. torch convolves in float32 and rounds half to even, but S/13 is never within 1/26 of a
// half (2S = 13·odd has no solution), so this integer rounding equals it for every input.
void smooth_row(const std::uint8_t* __restrict centre, std::size_t row_bytes, std::uint8_t* __restrict output) {
  const std::uint8_t* __restrict above = centre - row_bytes;
  const std::uint8_t* __restrict below = centre + row_bytes;
  for (std::size_t index = 3; index + 3 < row_bytes; ++index) {
    const int sum = above[index - 3] + above[index] + above[index + 3] + centre[index - 3] + 5 * centre[index] +
                    centre[index + 3] + below[index - 3] + below[index] + below[index + 3];
    output[index] = static_cast<std::uint8_t>((sum + 6) / 13);
  }
}

}  // namespace

void adjust_brightness(std::uint8_t* image, std::size_t pixels, double factor) {
  check_factor(factor, "adjust_brightness");
  const BlendWeights weights(factor);  // a blend with black
  std::array<std::uint8_t, 256> table;
  for (int value = 0; value < 256; ++value) table[value] = blend_value(weights, static_cast<float>(value), 0.0f);
  apply_table(image, pixels * 3, table);
}

void adjust_saturation(std::uint8_t* image, std::size_t pixels, double factor, std::vector<std::uint8_t>& scratch) {
  check_factor(factor, "adjust_saturation");
  // Each pixel's grey repeated for its three values, so the blend runs over two contiguous arrays.
  scratch.resize(pixels * 3);
  const GreyTables& grey = grey_tables();
  for (std::size_t pixel = 0; pixel < pixels; ++pixel) {
    const std::uint8_t pixel_grey = grey.grey(image + pixel * 3);
    scratch[pixel * 3] = scratch[pixel * 3 + 1] = scratch[pixel * 3 + 2] = pixel_grey;
  }
  blend_in_place(image, scratch.data(), pixels * 3, factor);
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
  const BlendWeights weights(factor);
  std::array<std::uint8_t, 256> table;
  for (int value = 0; value < 256; ++value) table[value] = blend_value(weights, static_cast<float>(value), mean);
  apply_table(image, pixels * 3, table);
}

void adjust_sharpness(std::uint8_t* image, int width, int height, double factor, std::vector<std::uint8_t>& scratch) {
  check_factor(factor, "adjust_sharpness");
  if (width <= 2 || height <= 2) return;
  const std::size_t row_bytes = std::size_t(width) * 3;
  scratch.assign(image, image + row_bytes * height);  // the smoothed image; its border stays the original
  for (int row = 1; row + 1 < height; ++row)
    smooth_row(image + row * row_bytes, row_bytes, scratch.data() + row * row_bytes);
  blend_in_place(image, scratch.data(), row_bytes * height, factor);
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
      tables[channel][value] = static_cast<std::uint8_t>(
          static_cast<int>(std::min(std::max((static_cast<float>(value) - minimum) * scale, 0.0f), 255.0f)));
  }
  for (std::size_t pixel = 0; pixel < pixels; ++pixel)
    for (int channel = 0; channel < 3; ++channel)
      image[pixel * 3 + channel] = tables[channel][image[pixel * 3 + channel]];
}

void equalize(std::uint8_t* image, std::size_t pixels) {
  std::array<std::array<std::int64_t, 256>, 3> histograms{};
  for (std::size_t pixel = 0; pixel < pixels; ++pixel)
    for (int channel = 0; channel < 3; ++channel) ++histograms[channel][image[pixel * 3 + channel]];
  std::array<std::array<std::uint8_t, 256>, 3> tables;
  for (int channel = 0; channel < 3; ++channel) {
    const std::array<std::int64_t, 256>& histogram = histograms[channel];
    std::array<std::uint8_t, 256>& table = tables[channel];
    // step = (count of every value but the highest present one) // 255; 0 leaves the channel as it is.
    int highest = 255;
    while (highest > 0 && histogram[highest] == 0) --highest;
    const std::int64_t step = (static_cast<std::int64_t>(pixels) - histogram[highest]) / 255;
    // Otherwise lut[v] = (Σ_{u<v} hist[u] + step // 2) // step, clamped to 255 (the cumulative sum shifted by one).
    std::int64_t below = 0;
    for (int value = 0; value < 256; ++value) {
      table[value] = step == 0 ? static_cast<std::uint8_t>(value)
                               : static_cast<std::uint8_t>(std::min<std::int64_t>((below + step / 2) / step, 255));
      below += histogram[value];
    }
  }
  for (std::size_t pixel = 0; pixel < pixels; ++pixel)
    for (int channel = 0; channel < 3; ++channel)
      image[pixel * 3 + channel] = tables[channel][image[pixel * 3 + channel]];
}

void invert(std::uint8_t* image, std::size_t pixels) {
  for (std::size_t index = 0; index < pixels * 3; ++index) image[index] = static_cast<std::uint8_t>(255 - image[index]);
}

}  // namespace genint::io::torchvision_ops
