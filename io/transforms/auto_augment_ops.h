// AutoAugment's pixel operations with torchvision's tensor-backend arithmetic on uint8 HWC RGB images: colour
// blends in float32 truncated to uint8, histogram equalization, autocontrast, posterize, solarize, invert.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace genint::io::torchvision_ops {

// Each function works in place on `pixels` RGB pixels (3 bytes each) of a width × height image, with the
// same result, value for value, as the torchvision.transforms.functional function of the same name on the
// image as a uint8 CHW tensor (functional_tensor.py, torchvision 0.14).

// adjust_brightness: factor·x in float32, clamped to [0, 255], truncated (torchvision's _blend with black).
void adjust_brightness(std::uint8_t* image, std::size_t pixels, double factor);
// adjust_saturation: blends each pixel with its own uint8 grey (0.2989 R + 0.587 G + 0.114 B, truncated).
// `scratch` is reused.
void adjust_saturation(std::uint8_t* image, std::size_t pixels, double factor, std::vector<std::uint8_t>& scratch);
// adjust_contrast: blends every value with the mean of the image's uint8 grey.
void adjust_contrast(std::uint8_t* image, std::size_t pixels, double factor);
// adjust_sharpness: blends with the image smoothed by [[1 1 1] [1 5 1] [1 1 1]] / 13, rounded; the one-pixel
// border keeps its values (images narrower or lower than 3 pixels are returned unchanged). `scratch` is reused.
void adjust_sharpness(std::uint8_t* image, int width, int height, double factor, std::vector<std::uint8_t>& scratch);
// posterize: keeps the top `bits` bits of every value (bits in 0..8).
void posterize(std::uint8_t* image, std::size_t pixels, int bits);
// solarize: inverts every value >= threshold (compared in float32; threshold in [0, 255]).
void solarize(std::uint8_t* image, std::size_t pixels, double threshold);
// autocontrast: stretches each channel's [min, max] to [0, 255] (a constant channel is left as it is).
void autocontrast(std::uint8_t* image, std::size_t pixels);
// equalize: each channel through PIL's equalization table (torchvision's _scale_channel).
void equalize(std::uint8_t* image, std::size_t pixels);
// invert: 255 − x.
void invert(std::uint8_t* image, std::size_t pixels);

}  // namespace genint::io::torchvision_ops
