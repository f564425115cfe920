// Crop geometry with torchvision's semantics: RandomResizedCrop.get_params (scale, log-uniform ratio,
// 10 tries, clamped centre-crop fallback) and the eval path's Resize(shorter side) + CenterCrop.
#pragma once

#include "io/jpeg/jpeg_decoder.h"
#include "io/transforms/sample_random.h"

namespace genint::io {

struct RandomResizedCropOptions {
  double scale_min = 0.08;
  double scale_max = 1.0;
  double ratio_min = 3.0 / 4.0;
  double ratio_max = 4.0 / 3.0;
};

// torchvision.transforms.RandomResizedCrop.get_params for a width × height image, drawing from `random`.
// Returns the crop in image coordinates (x = j, y = i of torchvision).
PixelRect random_resized_crop_params(int width, int height, const RandomResizedCropOptions& options,
                                     SampleRandom& random);

// torchvision's eval geometry: Resize(resize_size) scales the shorter side to resize_size and the longer
// to int(resize_size * long / short); CenterCrop(crop_size) then keeps the window at
// (int(round((resized_width - crop_size) / 2.0)), likewise for y).
struct ResizeCenterCrop {
  int resized_width = 0;
  int resized_height = 0;
  PixelRect crop;  // in resized coordinates
};
ResizeCenterCrop resize_center_crop_geometry(int width, int height, int resize_size, int crop_size);

}  // namespace genint::io
