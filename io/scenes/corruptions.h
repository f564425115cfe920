// ImageNet-C corruptions (Hendrycks & Dietterich 2019) with the severities of Tiny-ImageNet-C, made for
// 64x64 images; spatial sizes (blur radii, shuffle distances) scale with image_size / 64.
#pragma once

#include <opencv2/core.hpp>
#include <string>
#include <vector>

#include "io/transforms/sample_random.h"

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

// Applies corruptions to RGB CV_8UC3 images; owns its scratch images and JPEG handles, so one engine per
// thread makes every image without allocating (after the first).
class CorruptionEngine {
 public:
  explicit CorruptionEngine(int image_size);
  ~CorruptionEngine();
  CorruptionEngine(const CorruptionEngine&) = delete;
  CorruptionEngine& operator=(const CorruptionEngine&) = delete;

  // `clean` and `corrupted` are image_size x image_size CV_8UC3 RGB; severity is 1..5. `random` supplies
  // the corruption's noise (and the motion blur's direction).
  void apply(Corruption corruption, int severity, const cv::Mat& clean, SampleRandom& random, cv::Mat& corrupted);

 private:
  void add_noise(Corruption corruption, int severity, SampleRandom& random);
  void blur(Corruption corruption, int severity, SampleRandom& random);
  void glass_blur(int severity, SampleRandom& random);
  void zoom_blur(int severity);
  void jpeg_round_trip(const cv::Mat& clean, int quality, cv::Mat& corrupted);

  int size_;
  double spatial_scale_;  // image_size / 64: Tiny-ImageNet-C's sizes are for 64 pixels
  cv::Mat image_;         // CV_32FC3 in [0, 1], the working copy
  cv::Mat scratch_;       // CV_32FC3
  cv::Mat accumulator_;   // CV_32FC3
  cv::Mat kernel_;        // CV_32F
  cv::Mat small_;         // CV_32FC3, pixelate's reduced image
  std::vector<unsigned char> jpeg_buffer_;
  void* compressor_ = nullptr;
  void* decompressor_ = nullptr;
};

}  // namespace genint::io::scenes
