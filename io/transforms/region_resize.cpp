// RegionResizer: cv::resize where the decoded pixels are exactly the region (8/8 scale), a separable
// fixed-point bilinear with the sub-pixel offset and step where the DCT scale made the region fractional
// (an affine cv::warpAffine does the same but cost a third of the whole pipeline's time).
#include "io/transforms/region_resize.h"

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "nn/core/error.h"

namespace genint::io {
namespace {

constexpr int kWeightBits = 11;  // as OpenCV's INTER_LINEAR: 11-bit weights, exact in 32-bit sums
constexpr int kWeightOne = 1 << kWeightBits;

// Source coordinate of output pixel `index`'s centre, clamped to the source (cv::resize's convention),
// split into the first tap and the second tap's weight.
void bilinear_tap(double start, double step, int index, int source_size, int& first, int& weight) {
  const double position = std::clamp(start + (index + 0.5) * step - 0.5, 0.0, static_cast<double>(source_size - 1));
  first = std::min(static_cast<int>(position), source_size - 1);
  weight = static_cast<int>(std::lround((position - first) * kWeightOne));
  if (first == source_size - 1) weight = 0;
}

}  // namespace

void RegionResizer::resize(const DecodeResult& decoded, int target_width, int target_height, std::uint8_t* target) {
  GENINT_CHECK(decoded.pixels != nullptr && decoded.width > 0 && decoded.height > 0,
               "RegionResizer: the decode delivered no pixels");
  GENINT_CHECK(target_width > 0 && target_height > 0, "RegionResizer: target must have pixels");
  const bool large_shrink = decoded.width > 2 * target_width || decoded.height > 2 * target_height;
  if (decoded.scale_eighths != 8 && !large_shrink) {
    resize_fractional(decoded, target_width, target_height, target);
    return;
  }
  const cv::Mat source(decoded.height, decoded.width, CV_8UC3, const_cast<std::uint8_t*>(decoded.pixels),
                       decoded.row_stride);
  cv::Mat destination(target_height, target_width, CV_8UC3, target);
  if (decoded.width == target_width && decoded.height == target_height)
    source.copyTo(destination);
  else
    cv::resize(source, destination, destination.size(), 0.0, 0.0, large_shrink ? cv::INTER_AREA : cv::INTER_LINEAR);
}

void RegionResizer::resize_fractional(const DecodeResult& decoded, int target_width, int target_height,
                                      std::uint8_t* target) {
  // The region in the decoded pixels' coordinates is fractional: it starts at (x0, y0).
  const double scale = decoded.scale_eighths / 8.0;
  const double x0 = decoded.region.x * scale - decoded.scaled_region.x;
  const double y0 = decoded.region.y * scale - decoded.scaled_region.y;
  const double step_x = decoded.region.width * scale / target_width;
  const double step_y = decoded.region.height * scale / target_height;
  column_index_.resize(static_cast<std::size_t>(target_width));
  column_weight_.resize(static_cast<std::size_t>(target_width));
  for (int column = 0; column < target_width; ++column) {
    int first = 0;
    bilinear_tap(x0, step_x, column, decoded.width, first, column_weight_[column]);
    column_index_[column] = first * 3;
  }
  const std::size_t row_values = std::size_t(decoded.width) * 3;
  blended_row_.resize(row_values + 3);  // + one pixel: the second tap of the last column reads it (weight 0)
  std::int32_t* blended = blended_row_.data();
  for (int row = 0; row < target_height; ++row) {
    int first_row = 0, row_weight = 0;
    bilinear_tap(y0, step_y, row, decoded.height, first_row, row_weight);
    const std::uint8_t* upper = decoded.pixels + std::size_t(first_row) * decoded.row_stride;
    const std::uint8_t* lower = upper + (row_weight > 0 ? decoded.row_stride : 0);
    for (std::size_t value = 0; value < row_values; ++value)  // vertical blend of the whole row, vectorizable
      blended[value] = upper[value] * (kWeightOne - row_weight) + lower[value] * row_weight;
    blended[row_values] = blended[row_values + 1] = blended[row_values + 2] = 0;
    std::uint8_t* output = target + std::size_t(row) * target_width * 3;
    for (int column = 0; column < target_width; ++column) {
      const std::int32_t* left = blended + column_index_[column];
      const int weight = column_weight_[column];
      // At most 255 · 2048 · 2048 < 2³¹: the sum fits a 32-bit integer.
      for (int channel = 0; channel < 3; ++channel) {
        const std::int32_t sum = left[channel] * (kWeightOne - weight) + left[channel + 3] * weight;
        output[column * 3 + channel] =
            static_cast<std::uint8_t>((sum + (1 << (2 * kWeightBits - 1))) >> (2 * kWeightBits));
      }
    }
  }
}

}  // namespace genint::io
