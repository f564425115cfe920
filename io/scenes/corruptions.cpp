// The corruptions from their ImageNet-C definitions, on float RGB in [0, 1]. Severity tables are
// Tiny-ImageNet-C's (hendrycks/robustness, make_tinyimagenet_c.py), the 64x64 re-tuning of ImageNet-C.
#include "io/scenes/corruptions.h"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

constexpr double pi = 3.14159265358979323846;

constexpr double gaussian_sigma[] = {0.04, 0.08, 0.12, 0.15, 0.18};
constexpr double shot_photons[] = {250, 100, 50, 30, 15};
constexpr double impulse_amount[] = {0.01, 0.02, 0.05, 0.08, 0.14};
constexpr double defocus_radius[] = {0.5, 1, 1.5, 2.5, 3};
constexpr double defocus_alias_sigma[] = {0.6, 0.1, 0.1, 0.01, 0.1};
constexpr double glass_sigma[] = {0.1, 0.5, 0.6, 0.7, 0.9};
constexpr int glass_delta[] = {1, 1, 1, 2, 2};
constexpr int glass_iterations[] = {1, 1, 2, 1, 2};
constexpr double motion_radius[] = {10, 10, 10, 10, 12};
constexpr double motion_sigma[] = {1, 1.5, 2, 2.5, 3};
constexpr int zoom_steps[] = {6, 11, 16, 21, 26};  // zoom factors 1.00, 1.01, ... (np.arange(1, 1.06, .01))
constexpr double brightness_shift[] = {0.1, 0.2, 0.3, 0.4, 0.5};
constexpr double contrast_factor[] = {0.4, 0.3, 0.2, 0.1, 0.05};
constexpr double pixelate_factor[] = {0.9, 0.8, 0.7, 0.6, 0.5};
constexpr int jpeg_quality[] = {65, 58, 50, 40, 25};

// Box–Muller on the portable generator; the second value of each pair is dropped for simplicity.
double standard_normal(SampleRandom& random) {
  const double radius = std::sqrt(-2.0 * std::log(1.0 - random.uniform(0.0, 1.0)));
  return radius * std::cos(2.0 * pi * random.uniform(0.0, 1.0));
}

// Poisson draws as numpy makes them: multiplication for small means, Hörmann's PTRS rejection above 10.
long poisson(double mean, SampleRandom& random) {
  if (mean <= 0) return 0;
  if (mean < 10) {
    const double limit = std::exp(-mean);
    long count = 0;
    for (double product = random.uniform(0.0, 1.0); product > limit; product *= random.uniform(0.0, 1.0)) ++count;
    return count;
  }
  const double root = std::sqrt(mean), log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b;
  const double inverse_alpha = 1.1239 + 1.1328 / (b - 3.4), acceptance = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const double u = random.uniform(0.0, 1.0) - 0.5, v = random.uniform(0.0, 1.0);
    const double us = 0.5 - std::fabs(u);
    const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= acceptance) return static_cast<long>(k);
    if (k < 0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * log_mean - std::lgamma(k + 1))
      return static_cast<long>(k);
  }
}

void check_severity(int severity) {
  GENINT_CHECK(severity >= 1 && severity <= corruption_severity_count,
               "corruption severity " + std::to_string(severity) + " is outside 1..5");
}

// A one-sided Gaussian streak (ImageMagick's MotionBlurImage, which ImageNet-C calls) as a filter2D kernel.
void motion_kernel(double radius, double sigma, double angle_degrees, cv::Mat& kernel) {
  const int half = static_cast<int>(std::ceil(radius));
  kernel.create(2 * half + 1, 2 * half + 1, CV_32F);
  kernel.setTo(0);
  const double dx = std::cos(angle_degrees * pi / 180.0), dy = -std::sin(angle_degrees * pi / 180.0);
  for (int tap = 0; tap <= static_cast<int>(std::floor(radius)); ++tap) {
    const double weight = std::exp(-0.5 * tap * tap / (sigma * sigma));
    const double x = half + tap * dx, y = half + tap * dy;
    const int x0 = static_cast<int>(std::floor(x)), y0 = static_cast<int>(std::floor(y));
    const double fx = x - x0, fy = y - y0;
    for (int corner = 0; corner < 4; ++corner) {  // bilinear splat of the tap
      const int cx = std::min(x0 + (corner & 1), 2 * half), cy = std::min(y0 + (corner >> 1), 2 * half);
      const double share = ((corner & 1) ? fx : 1 - fx) * ((corner >> 1) ? fy : 1 - fy);
      kernel.at<float>(cy, cx) += static_cast<float>(weight * share);
    }
  }
  kernel /= cv::sum(kernel)[0];
}

// ImageNet-C's disk(): an aliased disk on a 17x17 grid (wider for radius > 8), softened by a small Gaussian.
void defocus_kernel(double radius, double alias_sigma, cv::Mat& kernel) {
  const int half = radius <= 8 ? 8 : static_cast<int>(std::ceil(radius));
  kernel.create(2 * half + 1, 2 * half + 1, CV_32F);
  for (int y = -half; y <= half; ++y)
    for (int x = -half; x <= half; ++x)
      kernel.at<float>(y + half, x + half) = x * x + y * y <= radius * radius ? 1.0f : 0.0f;
  kernel /= cv::sum(kernel)[0];
  const int blur_size = radius <= 8 ? 3 : 5;
  cv::GaussianBlur(kernel, kernel, cv::Size(blur_size, blur_size), alias_sigma);
}

}  // namespace

const std::vector<Corruption>& all_corruptions() {
  static const std::vector<Corruption> list = {
      Corruption::GaussianNoise, Corruption::ShotNoise,  Corruption::ImpulseNoise,   Corruption::DefocusBlur,
      Corruption::GlassBlur,     Corruption::MotionBlur, Corruption::ZoomBlur,       Corruption::Brightness,
      Corruption::Contrast,      Corruption::Pixelate,   Corruption::JpegCompression};
  return list;
}

const char* corruption_name(Corruption corruption) {
  switch (corruption) {
    case Corruption::GaussianNoise: return "gaussian_noise";
    case Corruption::ShotNoise: return "shot_noise";
    case Corruption::ImpulseNoise: return "impulse_noise";
    case Corruption::DefocusBlur: return "defocus_blur";
    case Corruption::GlassBlur: return "glass_blur";
    case Corruption::MotionBlur: return "motion_blur";
    case Corruption::ZoomBlur: return "zoom_blur";
    case Corruption::Brightness: return "brightness";
    case Corruption::Contrast: return "contrast";
    case Corruption::Pixelate: return "pixelate";
    case Corruption::JpegCompression: return "jpeg_compression";
  }
  return "?";
}

const char* corruption_family(Corruption corruption) {
  switch (corruption) {
    case Corruption::GaussianNoise:
    case Corruption::ShotNoise:
    case Corruption::ImpulseNoise: return "noise";
    case Corruption::DefocusBlur:
    case Corruption::GlassBlur:
    case Corruption::MotionBlur:
    case Corruption::ZoomBlur: return "blur";
    case Corruption::Brightness: return "weather";  // ImageNet-C files brightness under weather
    case Corruption::Contrast:
    case Corruption::Pixelate:
    case Corruption::JpegCompression: return "digital";
  }
  return "?";
}

Corruption parse_corruption(const std::string& name) {
  std::string known;
  for (const Corruption corruption : all_corruptions()) {
    if (name == corruption_name(corruption)) return corruption;
    known += std::string(known.empty() ? "" : ", ") + corruption_name(corruption);
  }
  throw Error("unknown corruption '" + name + "' (known: " + known + ")");
}

std::string corruption_parameters(Corruption corruption, int severity) {
  check_severity(severity);
  const int at = severity - 1;
  auto number = [](double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%g", value);
    return std::string(text);
  };
  switch (corruption) {
    case Corruption::GaussianNoise: return "sigma=" + number(gaussian_sigma[at]);
    case Corruption::ShotNoise: return "photons=" + number(shot_photons[at]);
    case Corruption::ImpulseNoise: return "amount=" + number(impulse_amount[at]);
    case Corruption::DefocusBlur:
      return "radius=" + number(defocus_radius[at]) + "px@64,alias_sigma=" + number(defocus_alias_sigma[at]);
    case Corruption::GlassBlur:
      return "sigma=" + number(glass_sigma[at]) + "px@64,delta=" + number(glass_delta[at]) +
             "px@64,iterations=" + number(glass_iterations[at]);
    case Corruption::MotionBlur:
      return "radius=" + number(motion_radius[at]) + "px@64,sigma=" + number(motion_sigma[at]) +
             "px@64,angle=uniform(-45,45)";
    case Corruption::ZoomBlur: return "zooms=1.00..1+" + number(0.01 * (zoom_steps[at] - 1)) + "/0.01";
    case Corruption::Brightness: return "hsv_value_shift=" + number(brightness_shift[at]);
    case Corruption::Contrast: return "factor=" + number(contrast_factor[at]);
    case Corruption::Pixelate: return "factor=" + number(pixelate_factor[at]);
    case Corruption::JpegCompression: return "quality=" + number(jpeg_quality[at]);
  }
  return "";
}

CorruptionEngine::CorruptionEngine(int image_size) : size_(image_size), spatial_scale_(image_size / 64.0) {
  GENINT_CHECK(image_size >= 8 && image_size <= 1024,
               "CorruptionEngine: image size " + std::to_string(image_size) + " is outside [8, 1024]");
  image_.create(size_, size_, CV_32FC3);
  scratch_.create(size_, size_, CV_32FC3);
  accumulator_.create(size_, size_, CV_32FC3);
  jpeg_buffer_.resize(tjBufSize(size_, size_, TJSAMP_420));
  compressor_ = tjInitCompress();
  decompressor_ = tjInitDecompress();
  GENINT_CHECK(compressor_ != nullptr && decompressor_ != nullptr, "CorruptionEngine: libjpeg-turbo init failed");
}

CorruptionEngine::~CorruptionEngine() {
  if (compressor_ != nullptr) tjDestroy(compressor_);
  if (decompressor_ != nullptr) tjDestroy(decompressor_);
}

void CorruptionEngine::add_noise(Corruption corruption, int severity, SampleRandom& random) {
  const int at = severity - 1;
  for (int row = 0; row < size_; ++row) {
    float* value = image_.ptr<float>(row);
    for (int element = 0; element < 3 * size_; ++element) {
      double noisy = value[element];
      if (corruption == Corruption::GaussianNoise) {
        noisy += gaussian_sigma[at] * standard_normal(random);
      } else if (corruption == Corruption::ShotNoise) {
        noisy = static_cast<double>(poisson(noisy * shot_photons[at], random)) / shot_photons[at];
      } else if (random.coin(impulse_amount[at])) {  // salt or pepper, per channel value, half each
        noisy = random.coin(0.5) ? 1.0 : 0.0;
      }
      value[element] = static_cast<float>(noisy);
    }
  }
}

void CorruptionEngine::glass_blur(int severity, SampleRandom& random) {
  const int at = severity - 1;
  const double sigma = glass_sigma[at] * spatial_scale_;
  const int delta = std::max(1, static_cast<int>(std::lround(glass_delta[at] * spatial_scale_)));
  cv::GaussianBlur(image_, scratch_, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
  // Local shuffle, bottom-right to top-left as ImageNet-C does it: each pixel swaps with a neighbour
  // offset by [-delta, delta) in each direction.
  for (int iteration = 0; iteration < glass_iterations[at]; ++iteration)
    for (int row = size_ - delta; row > delta; --row)
      for (int column = size_ - delta; column > delta; --column) {
        const int dx = static_cast<int>(random.integer_inclusive(-delta, delta - 1));
        const int dy = static_cast<int>(random.integer_inclusive(-delta, delta - 1));
        std::swap(scratch_.at<cv::Vec3f>(row, column), scratch_.at<cv::Vec3f>(row + dy, column + dx));
      }
  cv::GaussianBlur(scratch_, image_, cv::Size(0, 0), sigma, sigma, cv::BORDER_REPLICATE);
}

void CorruptionEngine::zoom_blur(int severity) {
  const int steps = zoom_steps[severity - 1];
  image_.copyTo(accumulator_);
  const double center = 0.5 * (size_ - 1);
  for (int step = 0; step < steps; ++step) {
    const double zoom = 1.0 + 0.01 * step;
    const cv::Matx23d scaling(zoom, 0, (1 - zoom) * center, 0, zoom, (1 - zoom) * center);
    cv::warpAffine(image_, scratch_, scaling, scratch_.size(), cv::INTER_LINEAR, cv::BORDER_REPLICATE);
    accumulator_ += scratch_;
  }
  accumulator_.convertTo(image_, CV_32FC3, 1.0 / (steps + 1));
}

void CorruptionEngine::blur(Corruption corruption, int severity, SampleRandom& random) {
  const int at = severity - 1;
  if (corruption == Corruption::GlassBlur) return glass_blur(severity, random);
  if (corruption == Corruption::ZoomBlur) return zoom_blur(severity);
  if (corruption == Corruption::DefocusBlur) {
    defocus_kernel(defocus_radius[at] * spatial_scale_, defocus_alias_sigma[at], kernel_);
    cv::filter2D(image_, scratch_, -1, kernel_, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  } else {
    motion_kernel(motion_radius[at] * spatial_scale_, motion_sigma[at] * spatial_scale_, random.uniform(-45.0, 45.0),
                  kernel_);
    cv::filter2D(image_, scratch_, -1, kernel_, cv::Point(-1, -1), 0, cv::BORDER_REPLICATE);
  }
  scratch_.copyTo(image_);
}

void CorruptionEngine::jpeg_round_trip(const cv::Mat& clean, int quality, cv::Mat& corrupted) {
  unsigned char* buffer = jpeg_buffer_.data();
  unsigned long size = jpeg_buffer_.size();
  GENINT_CHECK(tjCompress2(compressor_, clean.data, size_, static_cast<int>(clean.step), size_, TJPF_RGB, &buffer,
                           &size, TJSAMP_420, quality, TJFLAG_NOREALLOC) == 0,
               std::string("jpeg_compression: encode failed: ") + tjGetErrorStr2(compressor_));
  corrupted.create(size_, size_, CV_8UC3);
  GENINT_CHECK(tjDecompress2(decompressor_, buffer, size, corrupted.data, size_, static_cast<int>(corrupted.step),
                             size_, TJPF_RGB, 0) == 0,
               std::string("jpeg_compression: decode failed: ") + tjGetErrorStr2(decompressor_));
}

void CorruptionEngine::apply(Corruption corruption, int severity, const cv::Mat& clean, SampleRandom& random,
                             cv::Mat& corrupted) {
  check_severity(severity);
  GENINT_CHECK(clean.type() == CV_8UC3 && clean.rows == size_ && clean.cols == size_ && clean.isContinuous(),
               "CorruptionEngine::apply: the clean image must be a continuous " + std::to_string(size_) + "x" +
                   std::to_string(size_) + " RGB byte image");
  const int at = severity - 1;
  if (corruption == Corruption::JpegCompression) return jpeg_round_trip(clean, jpeg_quality[at], corrupted);
  clean.convertTo(image_, CV_32FC3, 1.0 / 255.0);
  switch (corruption) {
    case Corruption::GaussianNoise:
    case Corruption::ShotNoise:
    case Corruption::ImpulseNoise: add_noise(corruption, severity, random); break;
    case Corruption::DefocusBlur:
    case Corruption::GlassBlur:
    case Corruption::MotionBlur:
    case Corruption::ZoomBlur: blur(corruption, severity, random); break;
    case Corruption::Brightness: {
      cv::cvtColor(image_, scratch_, cv::COLOR_RGB2HSV);
      for (int row = 0; row < size_; ++row) {
        auto* pixel = scratch_.ptr<cv::Vec3f>(row);
        for (int column = 0; column < size_; ++column)
          pixel[column][2] = std::min(1.0f, pixel[column][2] + static_cast<float>(brightness_shift[at]));
      }
      cv::cvtColor(scratch_, image_, cv::COLOR_HSV2RGB);
      break;
    }
    case Corruption::Contrast: {
      const cv::Scalar means = cv::mean(image_);  // per channel, as ImageNet-C's mean over axes (0, 1)
      image_ -= means;
      image_ *= contrast_factor[at];
      image_ += means;
      break;
    }
    case Corruption::Pixelate: {
      const int reduced = std::max(1, static_cast<int>(size_ * pixelate_factor[at]));
      cv::resize(image_, small_, cv::Size(reduced, reduced), 0, 0, cv::INTER_AREA);
      cv::resize(small_, image_, image_.size(), 0, 0, cv::INTER_NEAREST);
      break;
    }
    case Corruption::JpegCompression: break;
  }
  image_.convertTo(corrupted, CV_8UC3, 255.0);  // saturates to [0, 255] and rounds
}

}  // namespace genint::io::scenes
