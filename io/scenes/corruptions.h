// ImageNet-C corruptions (Hendrycks & Dietterich 2019) with the definitions and severities of Tiny-ImageNet-C, made for
// 64x64 images (spatial sizes scale with image_size / 64); held to tools/golden/make_corruption_goldens.py.
#pragma once

#include <cstdint>
#include <memory>
#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "io/scenes/corruption_kernels.h"
#include "io/scenes/corruption_noise.h"

namespace genint::io::scenes {

enum class Corruption {
  GaussianNoise,
  ShotNoise,
  ImpulseNoise,
  DefocusBlur,
  GlassBlur,
  MotionBlur,
  ZoomBlur,
  Brightness,
  Contrast,
  Pixelate,
  JpegCompression,
};

inline constexpr int corruption_severity_count = 5;

const std::vector<Corruption>& all_corruptions();
const char* corruption_name(Corruption corruption);    // ImageNet-C's folder name, e.g. "gaussian_noise"
const char* corruption_family(Corruption corruption);  // noise, blur, weather or digital
// Throws genint::Error listing the known names when `name` is not one of them.
Corruption parse_corruption(const std::string& name);
// The severity's parameters as text, e.g. "sigma=0.12" (for the manifest).
std::string corruption_parameters(Corruption corruption, int severity);

// Applies corruptions to RGB CV_8UC3 images; owns its scratch buffers and JPEG handles, so one engine per thread
// makes every image without allocating (after the first).
class CorruptionEngine {
 public:
  explicit CorruptionEngine(int image_size);

  // `clean` and `corrupted` are image_size x image_size CV_8UC3 RGB; severity is 1..5. `noise` supplies the
  // corruption's random numbers in the order corruption_noise.h lists.
  void apply(Corruption corruption, int severity, const cv::Mat& clean, CorruptionNoise& noise, cv::Mat& corrupted);

 private:
  void add_noise(Corruption corruption, int severity, const std::uint8_t* clean, CorruptionNoise& noise,
                 std::uint8_t* corrupted);
  void defocus_blur(int severity, const cv::Mat& clean, std::uint8_t* corrupted);
  void glass_blur(int severity, const std::uint8_t* clean, CorruptionNoise& noise, std::uint8_t* corrupted);
  void zoom_blur(int severity, const std::uint8_t* clean, std::uint8_t* corrupted);
  void contrast(int severity, const std::uint8_t* clean, std::uint8_t* corrupted);
  void pixelate(int severity, const std::uint8_t* clean, std::uint8_t* corrupted);
  void jpeg_round_trip(const cv::Mat& clean, int quality, cv::Mat& corrupted);

  int size_;
  std::size_t values_;                             // size * size * 3
  double spatial_scale_;                           // image_size / 64: Tiny-ImageNet-C's sizes are for 64 pixels
  std::vector<std::vector<double>> zoom_factors_;  // per severity, numpy.arange as the original computes them
  std::vector<double> noise_;                      // two fields of values_ draws
  std::vector<int> shuffle_offsets_;
  std::vector<double> unit_image_, filtered_, scratch_, weights_;
  std::vector<std::uint8_t> bytes_, reduced_;
  std::vector<float> zoom_image_, zoom_sum_;
  std::vector<int> zoom_low_, zoom_high_, motion_offsets_;
  std::vector<double> zoom_fraction_;
  PillowResizeBuffers pillow_;
  PoissonInverter poisson_;
  cv::Mat unit_mat_, filtered_mat_, kernel_;  // CV_64FC3, CV_64FC3, CV_64F (defocus)
  std::vector<unsigned char> jpeg_buffer_;
  std::unique_ptr<void, int (*)(void*)> compressor_, decompressor_;  // TurboJPEG handles (tjhandle), tjDestroy
};

}  // namespace genint::io::scenes
