// scipy's Gaussian filter and order-1 zoom, ImageMagick's motion blur, Pillow's BOX resize and skimage's HSV, written
// in the order those libraries compute them (compiled without FMA contraction, see io/CMakeLists.txt).
#include "io/scenes/corruption_kernels.h"

#include <algorithm>
#include <array>
#include <cmath>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

// numpy's pairwise summation (what ndarray.sum() does for a contiguous double array).
double numpy_pairwise_sum(const double* values, std::size_t count) {
  if (count < 8) {
    double sum = 0.0;
    for (std::size_t index = 0; index < count; ++index) sum += values[index];
    return sum;
  }
  if (count <= 128) {
    std::array<double, 8> partial{};
    for (std::size_t lane = 0; lane < 8; ++lane) partial[lane] = values[lane];
    std::size_t index = 8;
    for (; index < count - count % 8; index += 8)
      for (std::size_t lane = 0; lane < 8; ++lane) partial[lane] += values[index + lane];
    double sum = ((partial[0] + partial[1]) + (partial[2] + partial[3])) +
                 ((partial[4] + partial[5]) + (partial[6] + partial[7]));
    for (; index < count; ++index) sum += values[index];
    return sum;
  }
  std::size_t half = count / 2;
  half -= half % 8;
  return numpy_pairwise_sum(values, half) + numpy_pairwise_sum(values + half, count - half);
}

// scipy's correlate1d of a symmetric kernel along one axis of a size x size x 3 image, edges repeated ('nearest'):
// out = x[i] w[0] + sum over j = r .. 1 of (x[i - j] + x[i + j]) w[j], outermost pair first.
void correlate_symmetric_nearest(const double* image, double* output, int size, int radius, const double* weights,
                                 bool along_rows) {
  const std::size_t step = along_rows ? static_cast<std::size_t>(size) * 3 : 3;
  const std::size_t line_step = along_rows ? 3 : static_cast<std::size_t>(size) * 3;
  for (int line = 0; line < size; ++line)
    for (int channel = 0; channel < 3; ++channel) {
      const double* in = image + static_cast<std::size_t>(line) * line_step + static_cast<std::size_t>(channel);
      double* out = output + static_cast<std::size_t>(line) * line_step + static_cast<std::size_t>(channel);
      for (int position = 0; position < size; ++position) {
        double sum = in[static_cast<std::size_t>(position) * step] * weights[radius];
        for (int offset = radius; offset >= 1; --offset) {
          const int before = std::max(position - offset, 0), after = std::min(position + offset, size - 1);
          sum += (in[static_cast<std::size_t>(before) * step] + in[static_cast<std::size_t>(after) * step]) *
                 weights[radius - offset];
        }
        out[static_cast<std::size_t>(position) * step] = sum;
      }
    }
}

// Pillow's precompute_coeffs() with the BOX filter (support 0.5, 1 on (-0.5, 0.5]) and normalize_coeffs_8bpc().
int pillow_box_coefficients(int input_size, int output_size, std::vector<int>& bounds,
                            std::vector<std::int32_t>& weights) {
  constexpr int precision_bits = 32 - 8 - 2;
  const double scale = static_cast<double>(static_cast<float>(input_size)) / output_size;
  const double filter_scale = std::max(scale, 1.0);
  const double support = 0.5 * filter_scale;
  const int kernel_size = static_cast<int>(std::ceil(support)) * 2 + 1;
  std::array<double, 16> taps{};
  GENINT_CHECK(kernel_size <= static_cast<int>(taps.size()), "pillow_box_resize: reduction too strong");
  bounds.resize(2 * static_cast<std::size_t>(output_size));
  weights.assign(static_cast<std::size_t>(output_size) * static_cast<std::size_t>(kernel_size), 0);
  for (int target = 0; target < output_size; ++target) {
    const double center = (target + 0.5) * scale;
    const int first = std::max(static_cast<int>(center - support + 0.5), 0);
    const int count = std::min(static_cast<int>(center + support + 0.5), input_size) - first;
    const double reciprocal_scale = 1.0 / filter_scale;
    double total = 0.0;
    for (int tap = 0; tap < count; ++tap) {
      const double where = (tap + first - center + 0.5) * reciprocal_scale;
      taps[static_cast<std::size_t>(tap)] = (where > -0.5 && where <= 0.5) ? 1.0 : 0.0;
      total += taps[static_cast<std::size_t>(tap)];
    }
    for (int tap = 0; tap < count; ++tap) {
      const double tap_value = taps[static_cast<std::size_t>(tap)];
      const double weight = total != 0.0 ? tap_value / total : tap_value;
      weights[static_cast<std::size_t>(target * kernel_size + tap)] =
          static_cast<std::int32_t>((weight < 0 ? -0.5 : 0.5) + weight * (1 << precision_bits));
    }
    bounds[2 * static_cast<std::size_t>(target)] = first;
    bounds[2 * static_cast<std::size_t>(target) + 1] = count;
  }
  return kernel_size;
}

std::uint8_t pillow_clip(std::int32_t fixed) {
  constexpr int precision_bits = 32 - 8 - 2;
  return static_cast<std::uint8_t>(std::clamp(fixed >> precision_bits, 0, 255));
}

}  // namespace

std::vector<double> numpy_arange(double start, double stop, double step) {
  const auto count = static_cast<std::size_t>(std::max(0.0, std::ceil((stop - start) / step)));
  std::vector<double> values(count);
  const double delta = (start + step) - start;
  for (std::size_t index = 0; index < count; ++index)
    values[index] = index == 0 ? start : (index == 1 ? start + step : start + static_cast<double>(index) * delta);
  return values;
}

long poisson_by_inversion(double mean, double uniform) {
  if (!(mean > 0.0)) return 0;
  double probability = std::exp(-mean), cumulative = probability;
  const long limit = static_cast<long>(mean + 40.0 * std::sqrt(mean) + 100.0);  // the CDF is 1 long before
  long count = 0;
  while (cumulative <= uniform && count < limit) {
    ++count;
    probability *= mean / static_cast<double>(count);
    cumulative += probability;
  }
  return count;
}

void PoissonInverter::prepare(double photons) {
  if (photons == photons_) return;
  photons_ = photons;
  cumulative_.clear();
  starts_.assign(1, 0);
  limits_.clear();
  for (int value = 0; value < 256; ++value) {
    const double mean = value / 255.0 * photons;
    long limit = 0;
    if (mean > 0.0) {
      limit = static_cast<long>(mean + 40.0 * std::sqrt(mean) + 100.0);
      double probability = std::exp(-mean), sum = probability;
      cumulative_.push_back(sum);
      // Past the mode the terms only shrink: once one no longer changes the sum, none will, and the walk of
      // poisson_by_inversion() would run on to the limit; a uniform at or above the last sum gets the limit.
      for (long count = 1; count <= limit; ++count) {
        probability *= mean / static_cast<double>(count);
        if (sum + probability == sum) break;
        sum += probability;
        cumulative_.push_back(sum);
      }
    }
    limits_.push_back(limit);
    starts_.push_back(cumulative_.size());
  }
}

long PoissonInverter::count(std::uint8_t value, double uniform) const {
  const auto first = cumulative_.begin() + static_cast<std::ptrdiff_t>(starts_[value]);
  const auto last = cumulative_.begin() + static_cast<std::ptrdiff_t>(starts_[value + 1]);
  const auto above = std::upper_bound(first, last, uniform);  // the first sum > uniform
  return above == last ? limits_[value] : static_cast<long>(above - first);
}

void scipy_gaussian_filter(const double* image, double* output, double* scratch, int size, double sigma,
                           std::vector<double>& weights) {
  const int radius = static_cast<int>(4.0 * sigma + 0.5);
  weights.resize(2 * static_cast<std::size_t>(radius) + 1);
  const double scale = -0.5 / (sigma * sigma);
  for (int offset = -radius; offset <= radius; ++offset)
    weights[static_cast<std::size_t>(offset + radius)] = std::exp(scale * static_cast<double>(offset * offset));
  const double total = numpy_pairwise_sum(weights.data(), weights.size());
  for (double& weight : weights) weight /= total;
  correlate_symmetric_nearest(image, scratch, size, radius, weights.data(), true);  // axis 0 (rows) first
  correlate_symmetric_nearest(scratch, output, size, radius, weights.data(), false);
}

void add_clipped_zoom(const float* image, float* accumulator, int size, double zoom, std::vector<int>& low,
                      std::vector<int>& high, std::vector<double>& fraction) {
  const int crop = static_cast<int>(std::ceil(size / zoom));
  const int top = (size - crop) / 2;
  const int zoomed = static_cast<int>(std::nearbyint(crop * zoom));  // Python's round(): half to even
  const double ratio = zoomed > 1 ? static_cast<double>(crop - 1) / (zoomed - 1) : 1.0;
  const int trim = (zoomed - size) / 2;
  low.resize(static_cast<std::size_t>(size));
  high.resize(low.size());
  fraction.resize(low.size());
  for (int index = 0; index < size; ++index) {
    const double coordinate = static_cast<double>(index + trim) * ratio;
    const double whole = std::floor(coordinate);
    low[static_cast<std::size_t>(index)] = top + static_cast<int>(whole);
    high[static_cast<std::size_t>(index)] = top + std::min(static_cast<int>(whole) + 1, crop - 1);
    fraction[static_cast<std::size_t>(index)] = coordinate - whole;
  }
  const auto at = [&](int row, int column, int channel) {
    return static_cast<double>(image[(static_cast<std::size_t>(row) * size + column) * 3 + channel]);
  };
  for (int row = 0; row < size; ++row) {
    const int top_row = low[static_cast<std::size_t>(row)], bottom_row = high[static_cast<std::size_t>(row)];
    const double down = fraction[static_cast<std::size_t>(row)], up = 1.0 - down;
    for (int column = 0; column < size; ++column) {
      const int left = low[static_cast<std::size_t>(column)], right = high[static_cast<std::size_t>(column)];
      const double across = fraction[static_cast<std::size_t>(column)], back = 1.0 - across;
      float* sum = accumulator + (static_cast<std::size_t>(row) * size + column) * 3;
      for (int channel = 0; channel < 3; ++channel) {
        const double value = at(top_row, left, channel) * up * back + at(top_row, right, channel) * up * across +
                             at(bottom_row, left, channel) * down * back +
                             at(bottom_row, right, channel) * down * across;
        sum[channel] += static_cast<float>(value);
      }
    }
  }
}

void imagemagick_motion_blur(const std::uint8_t* image, std::uint8_t* output, int size, double radius, double sigma,
                             double angle_degrees, std::vector<double>& weights, std::vector<int>& offsets) {
  constexpr double pi = 3.14159265358979323846;
  const auto width = static_cast<std::size_t>(2.0 * std::ceil(radius) + 1.0);
  weights.resize(width);
  offsets.resize(2 * width);
  double total = 0.0;
  for (std::size_t tap = 0; tap < width; ++tap) {
    const double square = static_cast<double>(tap * tap);
    weights[tap] = std::exp(-square / (2.0 * sigma * sigma)) / (std::sqrt(2.0 * pi) * sigma);
    total += weights[tap];  // one after the other, as ImageMagick sums
  }
  for (double& weight : weights) weight /= total;
  const double point_x = static_cast<double>(width) * std::sin(pi * angle_degrees / 180.0);
  const double point_y = static_cast<double>(width) * std::cos(pi * angle_degrees / 180.0);
  const double length = std::hypot(point_x, point_y);
  for (std::size_t tap = 0; tap < width; ++tap) {
    offsets[2 * tap] = static_cast<int>(std::ceil(static_cast<double>(tap) * point_y / length - 0.5));
    offsets[2 * tap + 1] = static_cast<int>(std::ceil(static_cast<double>(tap) * point_x / length - 0.5));
  }
  for (int row = 0; row < size; ++row)
    for (int column = 0; column < size; ++column)
      for (int channel = 0; channel < 3; ++channel) {
        double quanta = 0.0;
        for (std::size_t tap = 0; tap < width; ++tap) {
          const int x = std::clamp(column + offsets[2 * tap], 0, size - 1);
          const int y = std::clamp(row + offsets[2 * tap + 1], 0, size - 1);
          quanta += weights[tap] * (257.0 * image[(static_cast<std::size_t>(y) * size + x) * 3 + channel]);
        }
        const double quantum = std::clamp(std::floor(quanta + 0.5), 0.0, 65535.0);
        output[(static_cast<std::size_t>(row) * size + column) * 3 + channel] =
            static_cast<std::uint8_t>(static_cast<int>(quantum) / 257);
      }
}

void pillow_box_resize(const std::uint8_t* image, int size, std::uint8_t* output, int output_size,
                       PillowResizeBuffers& buffers) {
  const int across = pillow_box_coefficients(size, output_size, buffers.horizontal_bounds, buffers.horizontal_weights);
  const int down = pillow_box_coefficients(size, output_size, buffers.vertical_bounds, buffers.vertical_weights);
  buffers.intermediate.resize(static_cast<std::size_t>(size) * output_size * 3);
  for (int row = 0; row < size; ++row)  // horizontal pass: size rows of output_size pixels
    for (int column = 0; column < output_size; ++column) {
      const int first = buffers.horizontal_bounds[2 * static_cast<std::size_t>(column)];
      const int count = buffers.horizontal_bounds[2 * static_cast<std::size_t>(column) + 1];
      const std::int32_t* weight = buffers.horizontal_weights.data() + static_cast<std::size_t>(column) * across;
      for (int channel = 0; channel < 3; ++channel) {
        std::int32_t sum = 1 << (32 - 8 - 2 - 1);
        for (int tap = 0; tap < count; ++tap)
          sum += image[(static_cast<std::size_t>(row) * size + first + tap) * 3 + channel] * weight[tap];
        buffers.intermediate[(static_cast<std::size_t>(row) * output_size + column) * 3 + channel] = pillow_clip(sum);
      }
    }
  for (int row = 0; row < output_size; ++row)  // vertical pass
    for (int column = 0; column < output_size; ++column) {
      const int first = buffers.vertical_bounds[2 * static_cast<std::size_t>(row)];
      const int count = buffers.vertical_bounds[2 * static_cast<std::size_t>(row) + 1];
      const std::int32_t* weight = buffers.vertical_weights.data() + static_cast<std::size_t>(row) * down;
      for (int channel = 0; channel < 3; ++channel) {
        std::int32_t sum = 1 << (32 - 8 - 2 - 1);
        for (int tap = 0; tap < count; ++tap)
          sum += buffers.intermediate[(static_cast<std::size_t>(first + tap) * output_size + column) * 3 + channel] *
                 weight[tap];
        output[(static_cast<std::size_t>(row) * output_size + column) * 3 + channel] = pillow_clip(sum);
      }
    }
}

void brighten_like_skimage(const std::uint8_t* image, std::uint8_t* output, std::size_t count, double shift) {
  for (std::size_t pixel = 0; pixel < count; ++pixel) {
    const double red = image[3 * pixel] / 255.0, green = image[3 * pixel + 1] / 255.0;
    const double blue = image[3 * pixel + 2] / 255.0;
    const double value = std::max({red, green, blue}), spread = value - std::min({red, green, blue});
    const double saturation = spread == 0.0 ? 0.0 : spread / value;
    double hue = 0.0;  // later channels win ties, as skimage assigns red, then green, then blue
    if (red == value) hue = (green - blue) / spread;
    if (green == value) hue = 2.0 + (blue - red) / spread;
    if (blue == value) hue = 4.0 + (red - green) / spread;
    hue = spread == 0.0 ? 0.0 : hue / 6.0;
    hue = std::fmod(hue, 1.0);
    if (hue < 0.0) hue += 1.0;  // numpy's % takes the divisor's sign
    const double brightened = std::clamp(value + shift, 0.0, 1.0);
    const double sector = std::floor(hue * 6.0), part = hue * 6.0 - sector;
    const double p = brightened * (1.0 - saturation), q = brightened * (1.0 - part * saturation);
    const double t = brightened * (1.0 - (1.0 - part) * saturation);
    const double v = brightened;
    const std::array<std::array<double, 3>, 6> rgb = {
        {{v, t, p}, {q, v, p}, {p, v, t}, {p, q, v}, {t, p, v}, {v, p, q}}};
    const auto& chosen = rgb[static_cast<std::size_t>(static_cast<int>(sector) % 6)];
    for (int channel = 0; channel < 3; ++channel) output[3 * pixel + channel] = unit_to_byte(chosen[channel]);
  }
}

std::uint8_t unit_to_byte(double value) {
  return static_cast<std::uint8_t>(std::nearbyint(255.0 * std::clamp(value, 0.0, 1.0)));
}

}  // namespace genint::io::scenes
