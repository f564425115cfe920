// The corruptions from make_tinyimagenet_c.py (the 64x64 re-tuning of ImageNet-C): its severity tables, and its
// computations in the order of the libraries it calls (corruption_kernels.h), so the golden test can be strict.
#include "io/scenes/corruptions.h"

#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

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
constexpr double zoom_stops[] = {1.06, 1.11, 1.16, 1.21, 1.26};  // np.arange(1, stop, 0.01): 7, 12, 16, 21, 26 factors
constexpr double brightness_shift[] = {0.1, 0.2, 0.3, 0.4, 0.5};
constexpr double contrast_factor[] = {0.4, 0.3, 0.2, 0.1, 0.05};
constexpr double pixelate_factor[] = {0.9, 0.8, 0.7, 0.6, 0.5};
constexpr int jpeg_quality[] = {65, 58, 50, 40, 25};

// Each corruption's name and ImageNet-C family, in enum order (ImageNet-C files brightness under weather).
struct CorruptionNames {
  const char* name;
  const char* family;
};
constexpr CorruptionNames corruption_names[] = {
    {"gaussian_noise", "noise"}, {"shot_noise", "noise"}, {"impulse_noise", "noise"},     {"defocus_blur", "blur"},
    {"glass_blur", "blur"},      {"motion_blur", "blur"}, {"zoom_blur", "blur"},          {"brightness", "weather"},
    {"contrast", "digital"},     {"pixelate", "digital"}, {"jpeg_compression", "digital"}};
static_assert(std::size(corruption_names) == static_cast<std::size_t>(Corruption::JpegCompression) + 1, "");

void check_severity(int severity) {
  GENINT_CHECK(severity >= 1 && severity <= corruption_severity_count,
               "corruption severity " + std::to_string(severity) + " is outside 1..5");
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
  const auto index = static_cast<std::size_t>(corruption);
  return index < std::size(corruption_names) ? corruption_names[index].name : "?";
}

const char* corruption_family(Corruption corruption) {
  const auto index = static_cast<std::size_t>(corruption);
  return index < std::size(corruption_names) ? corruption_names[index].family : "?";
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
             "px@64,iterations=" + number(glass_iterations[at]) + ",shuffle=copy_neighbour";
    case Corruption::MotionBlur:
      return "radius=" + number(motion_radius[at]) + "px@64,sigma=" + number(motion_sigma[at]) +
             "px@64,angle=uniform(-45,45),imagemagick_taps";
    case Corruption::ZoomBlur: return "zooms=numpy.arange(1," + number(zoom_stops[at]) + ",0.01)";
    case Corruption::Brightness: return "hsv_value_shift=" + number(brightness_shift[at]);
    case Corruption::Contrast: return "factor=" + number(contrast_factor[at]);
    case Corruption::Pixelate: return "factor=" + number(pixelate_factor[at]) + ",resize=pillow_box";
    case Corruption::JpegCompression: return "quality=" + number(jpeg_quality[at]);
  }
  return "";
}

CorruptionEngine::CorruptionEngine(int image_size)
    : size_(image_size),
      values_(static_cast<std::size_t>(image_size) * static_cast<std::size_t>(image_size) * 3),
      spatial_scale_(image_size / 64.0),
      compressor_(tjInitCompress(), &tjDestroy),
      decompressor_(tjInitDecompress(), &tjDestroy) {
  GENINT_CHECK(image_size >= 8 && image_size <= 1024,
               "CorruptionEngine: image size " + std::to_string(image_size) + " is outside [8, 1024]");
  for (const double stop : zoom_stops) zoom_factors_.push_back(numpy_arange(1.0, stop, 0.01));
  noise_.resize(2 * values_);
  shuffle_offsets_.resize(2 * values_ / 3);
  unit_image_.resize(values_);
  filtered_.resize(values_);
  scratch_.resize(values_);
  bytes_.resize(values_);
  reduced_.resize(values_);
  zoom_image_.resize(values_);
  zoom_sum_.resize(values_);
  unit_mat_.create(size_, size_, CV_64FC3);
  filtered_mat_.create(size_, size_, CV_64FC3);
  jpeg_buffer_.resize(tjBufSize(size_, size_, TJSAMP_420));
  GENINT_CHECK(compressor_ != nullptr && decompressor_ != nullptr, "CorruptionEngine: libjpeg-turbo init failed");
}

// Per value, in double as numpy computes it: x = v / 255, then the noise, clip to [0, 1], 255 x rounded.
void CorruptionEngine::add_noise(Corruption corruption, int severity, const std::uint8_t* clean, CorruptionNoise& noise,
                                 std::uint8_t* corrupted) {
  const int at = severity - 1;
  if (corruption == Corruption::GaussianNoise) {
    noise.standard_normals(noise_.data(), values_);
    for (std::size_t index = 0; index < values_; ++index)
      corrupted[index] = unit_to_byte(clean[index] / 255.0 + noise_[index] * gaussian_sigma[at]);
  } else if (corruption == Corruption::ShotNoise) {
    noise.uniforms(noise_.data(), values_);
    const double photons = shot_photons[at];
    poisson_.prepare(photons);
    for (std::size_t index = 0; index < values_; ++index)
      corrupted[index] = unit_to_byte(static_cast<double>(poisson_.count(clean[index], noise_[index])) / photons);
  } else {  // skimage's s&p: the whole flip field, then the whole salt field
    noise.uniforms(noise_.data(), 2 * values_);
    for (std::size_t index = 0; index < values_; ++index) {
      const bool flipped = noise_[index] <= impulse_amount[at], salted = noise_[values_ + index] <= 0.5;
      corrupted[index] = flipped ? (salted ? 255 : 0) : unit_to_byte(clean[index] / 255.0);
    }
  }
}

// disk() softened by cv2.GaussianBlur, as the original builds it, then cv2.filter2D on the double image.
void CorruptionEngine::defocus_blur(int severity, const cv::Mat& clean, std::uint8_t* corrupted) {
  const int at = severity - 1;
  defocus_kernel(defocus_radius[at] * spatial_scale_, defocus_alias_sigma[at], kernel_);
  kernel_.convertTo(kernel_, CV_64F);
  clean.convertTo(unit_mat_, CV_64FC3, 1.0 / 255.0);
  cv::filter2D(unit_mat_, filtered_mat_, -1, kernel_, cv::Point(-1, -1), 0, cv::BORDER_REFLECT_101);
  const auto* filtered = filtered_mat_.ptr<double>(0);
  for (std::size_t index = 0; index < values_; ++index) corrupted[index] = unit_to_byte(filtered[index]);
}

// Blur, truncate to bytes (np.uint8), shuffle, blur. The original's numpy "swap" of two pixel rows copies the
// neighbour into the visited pixel and leaves the neighbour as it was; that is what is done here.
void CorruptionEngine::glass_blur(int severity, const std::uint8_t* clean, CorruptionNoise& noise,
                                  std::uint8_t* corrupted) {
  const int at = severity - 1;
  const double sigma = glass_sigma[at] * spatial_scale_;
  const int delta = std::max(1, static_cast<int>(std::lround(glass_delta[at] * spatial_scale_)));
  for (std::size_t index = 0; index < values_; ++index) unit_image_[index] = clean[index] / 255.0;
  scipy_gaussian_filter(unit_image_.data(), filtered_.data(), scratch_.data(), size_, sigma, weights_);
  for (std::size_t index = 0; index < values_; ++index)
    bytes_[index] = static_cast<std::uint8_t>(std::min(255.0, filtered_[index] * 255));
  const int span = size_ - 2 * delta;  // rows and columns visited: size - delta down to delta + 1
  const auto visits = static_cast<std::size_t>(span) * static_cast<std::size_t>(span);
  for (int iteration = 0; iteration < glass_iterations[at]; ++iteration) {
    noise.integers(-delta, delta, shuffle_offsets_.data(), 2 * visits);
    const int* offset = shuffle_offsets_.data();
    for (int row = size_ - delta; row > delta; --row)
      for (int column = size_ - delta; column > delta; --column, offset += 2) {
        const std::size_t to = (static_cast<std::size_t>(row) * size_ + column) * 3;
        const std::size_t from = (static_cast<std::size_t>(row + offset[1]) * size_ + (column + offset[0])) * 3;
        std::copy(bytes_.begin() + static_cast<std::ptrdiff_t>(from),
                  bytes_.begin() + static_cast<std::ptrdiff_t>(from + 3),
                  bytes_.begin() + static_cast<std::ptrdiff_t>(to));
      }
  }
  for (std::size_t index = 0; index < values_; ++index) unit_image_[index] = bytes_[index] / 255.0;
  scipy_gaussian_filter(unit_image_.data(), filtered_.data(), scratch_.data(), size_, sigma, weights_);
  for (std::size_t index = 0; index < values_; ++index) corrupted[index] = unit_to_byte(filtered_[index]);
}

// float32 throughout, as the original: (x + sum of clipped zooms) / (factors + 1).
void CorruptionEngine::zoom_blur(int severity, const std::uint8_t* clean, std::uint8_t* corrupted) {
  const std::vector<double>& factors = zoom_factors_[static_cast<std::size_t>(severity - 1)];
  for (std::size_t index = 0; index < values_; ++index) zoom_image_[index] = static_cast<float>(clean[index] / 255.0);
  std::fill(zoom_sum_.begin(), zoom_sum_.end(), 0.0f);
  for (const double factor : factors)
    add_clipped_zoom(zoom_image_.data(), zoom_sum_.data(), size_, factor, zoom_low_, zoom_high_, zoom_fraction_);
  const auto divisor = static_cast<float>(factors.size() + 1);
  for (std::size_t index = 0; index < values_; ++index) {
    const float mean = std::clamp((zoom_image_[index] + zoom_sum_[index]) / divisor, 0.0f, 1.0f);
    corrupted[index] = static_cast<std::uint8_t>(std::nearbyint(static_cast<double>(mean * 255.0f)));
  }
}

void CorruptionEngine::contrast(int severity, const std::uint8_t* clean, std::uint8_t* corrupted) {
  double means[3] = {0, 0, 0};
  for (std::size_t index = 0; index < values_; ++index) means[index % 3] += clean[index] / 255.0;
  for (double& mean : means) mean /= static_cast<double>(values_ / 3);
  const double factor = contrast_factor[severity - 1];
  for (std::size_t index = 0; index < values_; ++index)
    corrupted[index] = unit_to_byte((clean[index] / 255.0 - means[index % 3]) * factor + means[index % 3]);
}

// PIL: resize((int(size * factor),) * 2, BOX), then back to size with BOX (which is a nearest-neighbour upscale
// with Pillow's own pixel centres).
void CorruptionEngine::pixelate(int severity, const std::uint8_t* clean, std::uint8_t* corrupted) {
  const int reduced = std::max(1, static_cast<int>(size_ * pixelate_factor[severity - 1]));
  pillow_box_resize(clean, size_, reduced_.data(), reduced, pillow_);
  pillow_box_resize(reduced_.data(), reduced, corrupted, size_, pillow_);
}

// PIL's save(quality=q) and open(): libjpeg's defaults, 4:2:0 and the accurate integer DCT both ways (TurboJPEG
// would otherwise pick the fast DCT, which moved values by up to 32 grey levels against the reference).
void CorruptionEngine::jpeg_round_trip(const cv::Mat& clean, int quality, cv::Mat& corrupted) {
  unsigned char* buffer = jpeg_buffer_.data();
  unsigned long size = jpeg_buffer_.size();
  GENINT_CHECK(tjCompress2(compressor_.get(), clean.data, size_, static_cast<int>(clean.step), size_, TJPF_RGB, &buffer,
                           &size, TJSAMP_420, quality, TJFLAG_NOREALLOC | TJFLAG_ACCURATEDCT) == 0,
               std::string("jpeg_compression: encode failed: ") + tjGetErrorStr2(compressor_.get()));
  GENINT_CHECK(tjDecompress2(decompressor_.get(), buffer, size, corrupted.data, size_, static_cast<int>(corrupted.step),
                             size_, TJPF_RGB, TJFLAG_ACCURATEDCT) == 0,
               std::string("jpeg_compression: decode failed: ") + tjGetErrorStr2(decompressor_.get()));
}

void CorruptionEngine::apply(Corruption corruption, int severity, const cv::Mat& clean, CorruptionNoise& noise,
                             cv::Mat& corrupted) {
  check_severity(severity);
  GENINT_CHECK(clean.type() == CV_8UC3 && clean.rows == size_ && clean.cols == size_ && clean.isContinuous(),
               "CorruptionEngine::apply: the clean image must be a continuous " + std::to_string(size_) + "x" +
                   std::to_string(size_) + " RGB byte image");
  GENINT_CHECK(corrupted.data != clean.data, "CorruptionEngine::apply: `corrupted` may not share `clean`'s pixels");
  corrupted.create(size_, size_, CV_8UC3);
  const int at = severity - 1;
  const std::uint8_t* in = clean.ptr<std::uint8_t>(0);
  std::uint8_t* out = corrupted.ptr<std::uint8_t>(0);
  switch (corruption) {
    case Corruption::GaussianNoise:
    case Corruption::ShotNoise:
    case Corruption::ImpulseNoise: add_noise(corruption, severity, in, noise, out); break;
    case Corruption::DefocusBlur: defocus_blur(severity, clean, out); break;
    case Corruption::GlassBlur: glass_blur(severity, in, noise, out); break;
    case Corruption::MotionBlur: {
      double uniform = 0;
      noise.uniforms(&uniform, 1);
      imagemagick_motion_blur(in, out, size_, motion_radius[at] * spatial_scale_, motion_sigma[at] * spatial_scale_,
                              -45.0 + 90.0 * uniform, weights_, motion_offsets_);
      break;
    }
    case Corruption::ZoomBlur: zoom_blur(severity, in, out); break;
    case Corruption::Brightness: brighten_like_skimage(in, out, values_ / 3, brightness_shift[at]); break;
    case Corruption::Contrast: contrast(severity, in, out); break;
    case Corruption::Pixelate: pixelate(severity, in, out); break;
    case Corruption::JpegCompression: jpeg_round_trip(clean, jpeg_quality[at], corrupted); break;
  }
}

}  // namespace genint::io::scenes
