// Draws one fashion-scenes image: a procedural background (stripes, checker or smooth noise) tinted by the
// nuisance hue, and the Fashion-MNIST item alpha-composited on it, rotated, scaled and placed by warpAffine.
#pragma once

#include <cstdint>
#include <opencv2/core.hpp>

#include "io/scenes/nuisance_model.h"

namespace genint::io::scenes {

// Background colour in HSV: the hue is the nuisance, saturation fixed, brightness the texture.
inline constexpr double background_saturation = 0.7;
inline constexpr double background_value_low = 0.45;   // brightness where the texture is 0
inline constexpr double background_value_high = 0.95;  // brightness where the texture is 1
// Item intensity I in [0, 1] becomes opacity min(1, I * gain): Fashion-MNIST's dark garments (I ~ 0.2)
// stay mostly opaque, the zero background of the 28x28 frame stays fully transparent.
inline constexpr double object_alpha_gain = 255.0 / 96.0;

class SceneRenderer {
 public:
  // Buffers for `image_size` x `image_size` scenes are allocated here, once; render() only reuses them.
  explicit SceneRenderer(int image_size);

  // Writes an RGB CV_8UC3 image of image_size x image_size into `rgb`. `item` is rows x columns grey bytes;
  // `random` supplies the noise texture's cell values (its only randomness beyond `nuisances`).
  void render(const std::uint8_t* item, int rows, int columns, const Nuisances& nuisances, SampleRandom& random,
              cv::Mat& rgb);

 private:
  void draw_texture(const Nuisances& nuisances, SampleRandom& random);

  int size_;
  cv::Mat texture_;      // CV_32F in [0, 1]
  cv::Mat noise_cells_;  // CV_32F, at most 66 x 66 cells
  cv::Mat hsv_;          // CV_32FC3, H in degrees
  cv::Mat background_;   // CV_32FC3 RGB in [0, 1]
  cv::Mat item_;         // CV_32F item intensity in [0, 1]
  cv::Mat warped_;       // CV_32F, the item placed in the scene
};

}  // namespace genint::io::scenes
