// Per-pixel transforms applied after the crop's resize: the paper's "additional augmentation" (random
// rotation, colour jitter) on uint8 RGB, and the fused flip + normalize + HWC→CHW output pass.
#pragma once

#include <cstdint>
#include <vector>

#include "io/transforms/sample_random.h"
#include "nn/ops/normalize_images.h"

namespace genint::io {

struct AugmentOptions {
  double rotation_degrees = 0.0;  // random angle uniform in [-d, d], bilinear, black fill; 0 = off
  double brightness = 0.0;        // factor uniform in [max(0, 1-b), 1+b]; 0 = off (the paper: 0.4)
  double contrast = 0.0;          // same, blends towards the image's mean grey
  double saturation = 0.0;        // same, blends towards each pixel's grey
  bool any() const { return rotation_degrees > 0.0 || brightness > 0.0 || contrast > 0.0 || saturation > 0.0; }
};

// Applies the enabled augmentations in place to a size × size × 3 uint8 image, drawing angles and factors
// from `random`. Colour jitter applies brightness/contrast/saturation in a random order, as torchvision's
// ColorJitter does (hue is not offered). `scratch` is reused between calls.
void apply_augmentations(std::uint8_t* image, int width, int height, const AugmentOptions& options,
                         SampleRandom& random, std::vector<std::uint8_t>& scratch);

// uint8 HWC → float CHW, optionally mirrored left-right, each value pixel*scale + shift via std::fma:
// bit-identical to normalize_images_cpu on the (flipped) uint8 image.
void flip_normalize_to_chw(const std::uint8_t* image, int width, int height, bool flip,
                           const NormalizationAffine& affine, float* output);
// uint8 HWC → uint8 HWC, optionally mirrored left-right.
void flip_copy_hwc(const std::uint8_t* image, int width, int height, bool flip, std::uint8_t* output);

}  // namespace genint::io
