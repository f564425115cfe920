// torchvision 0.14's RandomResizedCrop.get_params and Resize + CenterCrop geometry, line for line,
// including Python's round-half-to-even (std::nearbyint under the default rounding mode).
#include "io/transforms/random_resized_crop.h"

#include <algorithm>
#include <cmath>

#include "nn/core/error.h"

namespace genint::io {
namespace {

int python_round(double value) {
  return static_cast<int>(std::nearbyint(value));
}

}  // namespace

PixelRect random_resized_crop_params(int width, int height, const RandomResizedCropOptions& options,
                                     SampleRandom& random) {
  GENINT_CHECK(width > 0 && height > 0, "random_resized_crop_params: image must have pixels");
  GENINT_CHECK(options.scale_min > 0.0 && options.scale_min <= options.scale_max,
               "RandomResizedCropOptions: need 0 < scale_min <= scale_max");
  GENINT_CHECK(options.ratio_min > 0.0 && options.ratio_min <= options.ratio_max,
               "RandomResizedCropOptions: need 0 < ratio_min <= ratio_max");
  const double area = static_cast<double>(width) * height;
  const double log_ratio_min = std::log(options.ratio_min), log_ratio_max = std::log(options.ratio_max);
  for (int attempt = 0; attempt < 10; ++attempt) {
    const double target_area = area * random.uniform(options.scale_min, options.scale_max);
    const double aspect_ratio = std::exp(random.uniform(log_ratio_min, log_ratio_max));
    const int crop_width = python_round(std::sqrt(target_area * aspect_ratio));
    const int crop_height = python_round(std::sqrt(target_area / aspect_ratio));
    if (crop_width > 0 && crop_width <= width && crop_height > 0 && crop_height <= height) {
      const int top = static_cast<int>(random.integer_inclusive(0, height - crop_height));
      const int left = static_cast<int>(random.integer_inclusive(0, width - crop_width));
      return {left, top, crop_width, crop_height};
    }
  }
  // Fallback: the whole image, its aspect ratio clamped into [ratio_min, ratio_max], centred.
  const double image_ratio = static_cast<double>(width) / height;
  int crop_width = width, crop_height = height;
  if (image_ratio < options.ratio_min) {
    crop_height = python_round(crop_width / options.ratio_min);
  } else if (image_ratio > options.ratio_max) {
    crop_width = python_round(crop_height * options.ratio_max);
  }
  crop_width = std::clamp(crop_width, 1, width);
  crop_height = std::clamp(crop_height, 1, height);
  return {(width - crop_width) / 2, (height - crop_height) / 2, crop_width, crop_height};
}

ResizeCenterCrop resize_center_crop_geometry(int width, int height, int resize_size, int crop_size) {
  GENINT_CHECK(width > 0 && height > 0, "resize_center_crop_geometry: image must have pixels");
  GENINT_CHECK(resize_size > 0 && crop_size > 0 && crop_size <= resize_size,
               "resize_center_crop_geometry: need 0 < crop_size <= resize_size");
  ResizeCenterCrop geometry;
  const int shorter = std::min(width, height), longer = std::max(width, height);
  const int new_longer = static_cast<int>(static_cast<double>(resize_size) * longer / shorter);
  geometry.resized_width = width <= height ? resize_size : new_longer;
  geometry.resized_height = width <= height ? new_longer : resize_size;
  geometry.crop = {python_round((geometry.resized_width - crop_size) / 2.0),
                   python_round((geometry.resized_height - crop_size) / 2.0), crop_size, crop_size};
  return geometry;
}

}  // namespace genint::io
