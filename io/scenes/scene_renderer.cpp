// Procedural backgrounds and the alpha composite. Textures are evaluated on pixel centres in normalised
// coordinates, so one nuisance record gives the same picture at 32 and at 64 pixels, up to resolution.
#include "io/scenes/scene_renderer.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int max_noise_cells = 66;

}  // namespace

SceneRenderer::SceneRenderer(int image_size) : size_(image_size) {
  GENINT_CHECK(image_size >= 8 && image_size <= 1024,
               "fashion-scenes: image size " + std::to_string(image_size) + " is outside [8, 1024]");
  texture_.create(size_, size_, CV_32F);
  hsv_.create(size_, size_, CV_32FC3);
  background_.create(size_, size_, CV_32FC3);
  warped_.create(size_, size_, CV_32F);
  noise_cells_.create(max_noise_cells, max_noise_cells, CV_32F);
}

void SceneRenderer::draw_texture(const Nuisances& nuisances, SampleRandom& random) {
  const double frequency = nuisances.texture_frequency;
  if (nuisances.texture == TextureKind::Noise) {
    // Value noise: a grid of uniform cells, cubic-interpolated up to the image; frequency = cells per side.
    const int cells = std::clamp(static_cast<int>(std::lround(frequency)) + 1, 2, max_noise_cells);
    cv::Mat grid = noise_cells_(cv::Rect(0, 0, cells, cells));
    for (int row = 0; row < cells; ++row)
      for (int column = 0; column < cells; ++column)
        grid.at<float>(row, column) = static_cast<float>(random.uniform(0.0, 1.0));
    cv::resize(grid, texture_, texture_.size(), 0, 0, cv::INTER_CUBIC);
    cv::max(texture_, 0.0, texture_);  // cubic overshoot
    cv::min(texture_, 1.0, texture_);
    return;
  }
  const double orientation = nuisances.texture_orientation * pi / 180.0;
  const double cosine = std::cos(orientation), sine = std::sin(orientation);
  const double phase = 2.0 * pi * nuisances.texture_phase;
  for (int row = 0; row < size_; ++row) {
    float* out = texture_.ptr<float>(row);
    const double y = (row + 0.5) / size_;
    for (int column = 0; column < size_; ++column) {
      const double x = (column + 0.5) / size_;
      const double along = 2.0 * pi * frequency * (x * cosine + y * sine) + phase;
      double value = 0;
      if (nuisances.texture == TextureKind::Stripes) {
        value = 0.5 + 0.5 * std::sin(along);
      } else {
        const double across = 2.0 * pi * frequency * (-x * sine + y * cosine) + phase;
        // A checker with soft edges (a gain of 2 on the product), so it does not alias at 32 pixels.
        value = std::clamp(0.5 + 2.0 * std::sin(along) * std::sin(across), 0.0, 1.0);
      }
      out[column] = static_cast<float>(value);
    }
  }
}

void SceneRenderer::render(const std::uint8_t* item, int rows, int columns, const Nuisances& nuisances,
                           SampleRandom& random, cv::Mat& rgb) {
  GENINT_CHECK(item != nullptr && rows > 0 && columns > 0, "SceneRenderer::render: empty item");
  draw_texture(nuisances, random);
  for (int row = 0; row < size_; ++row) {
    const float* value = texture_.ptr<float>(row);
    auto* out = hsv_.ptr<cv::Vec3f>(row);
    for (int column = 0; column < size_; ++column)
      out[column] = cv::Vec3f(
          static_cast<float>(nuisances.hue), static_cast<float>(background_saturation),
          static_cast<float>(background_value_low + (background_value_high - background_value_low) * value[column]));
  }
  cv::cvtColor(hsv_, background_, cv::COLOR_HSV2RGB);

  // The item's grey bytes are only read; the Mat header needs a non-const pointer.
  const cv::Mat item_bytes(rows, columns, CV_8U, const_cast<std::uint8_t*>(item));
  item_bytes.convertTo(item_, CV_32F, 1.0 / 255.0);
  const cv::Point2f item_center(0.5f * static_cast<float>(columns - 1), 0.5f * static_cast<float>(rows - 1));
  const double zoom = nuisances.scale * size_ / std::max(rows, columns);
  cv::Mat placement = cv::getRotationMatrix2D(item_center, nuisances.angle, zoom);
  placement.at<double>(0, 2) += nuisances.center_x * size_ - 0.5 - item_center.x;
  placement.at<double>(1, 2) += nuisances.center_y * size_ - 0.5 - item_center.y;
  cv::warpAffine(item_, warped_, placement, warped_.size(), cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));

  rgb.create(size_, size_, CV_8UC3);
  for (int row = 0; row < size_; ++row) {
    const auto* back = background_.ptr<cv::Vec3f>(row);
    const float* intensity = warped_.ptr<float>(row);
    auto* out = rgb.ptr<cv::Vec3b>(row);
    for (int column = 0; column < size_; ++column) {
      const float grey = std::clamp(intensity[column], 0.0f, 1.0f);
      const float alpha = std::min(1.0f, grey * static_cast<float>(object_alpha_gain));
      for (int channel = 0; channel < 3; ++channel) {
        const float mixed = alpha * grey + (1.0f - alpha) * back[column][channel];
        out[column][channel] = cv::saturate_cast<std::uint8_t>(mixed * 255.0f);  // rounds to nearest
      }
    }
  }
}

}  // namespace genint::io::scenes
