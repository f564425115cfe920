// Generator image → loader sample: CHW→HWC, OpenCV resize (area when shrinking, bilinear otherwise), quantize,
// then either the uint8 HWC sample or the same normalize_images pass a natural uint8 image goes through.
#include "gan/images/generated_image.h"

#include <algorithm>
#include <cmath>
#include <opencv2/imgproc.hpp>

#include "nn/core/error.h"

namespace genint {

std::uint8_t quantize_generated_value(float value) {
  const float scaled = std::nearbyint((value + 1.0f) * 127.5f);
  return static_cast<std::uint8_t>(std::clamp(scaled, 0.0f, 255.0f));
}

GeneratedImageConverter::GeneratedImageConverter(int input_resolution, int output_size, GeneratedLayout layout,
                                                 ImageNormalization normalization)
    : input_resolution_(input_resolution), output_size_(output_size), layout_(layout), normalization_(normalization) {
  GENINT_CHECK(input_resolution > 0 && output_size > 0, "generated image: resolution " +
                                                            std::to_string(input_resolution) + " → " +
                                                            std::to_string(output_size) + " must be positive");
  const auto input_pixels = static_cast<std::size_t>(input_resolution) * static_cast<std::size_t>(input_resolution);
  const auto output_pixels = static_cast<std::size_t>(output_size) * static_cast<std::size_t>(output_size);
  interleaved_.resize(input_pixels * 3);
  resized_.resize(output_pixels * 3);
  quantized_.resize(output_pixels * 3);
  normalization_affine(normalization_);  // validates std > 0 now rather than on the first sample
}

std::size_t GeneratedImageConverter::output_bytes() const {
  const std::size_t values = static_cast<std::size_t>(output_size_) * static_cast<std::size_t>(output_size_) * 3;
  return layout_ == GeneratedLayout::Uint8Hwc ? values : values * sizeof(float);
}

bool GeneratedImageConverter::convert(const float* image, std::uint8_t* output) {
  const auto plane = static_cast<std::size_t>(input_resolution_) * static_cast<std::size_t>(input_resolution_);
  for (std::size_t pixel = 0; pixel < plane; ++pixel) {
    for (std::size_t channel = 0; channel < 3; ++channel) {
      const float value = image[channel * plane + pixel];
      if (!std::isfinite(value)) return false;
      interleaved_[pixel * 3 + channel] = value;
    }
  }
  const float* source = interleaved_.data();
  if (input_resolution_ != output_size_) {
    const cv::Mat from(input_resolution_, input_resolution_, CV_32FC3, interleaved_.data());
    cv::Mat to(output_size_, output_size_, CV_32FC3, resized_.data());
    // Area averaging when shrinking avoids the aliasing bilinear sampling would add; both keep `to`'s memory.
    cv::resize(from, to, to.size(), 0.0, 0.0, output_size_ < input_resolution_ ? cv::INTER_AREA : cv::INTER_LINEAR);
    GENINT_CHECK(to.data == reinterpret_cast<std::uint8_t*>(resized_.data()),
                 "generated image: OpenCV reallocated the resize destination");
    source = resized_.data();
  }
  std::uint8_t* quantized = layout_ == GeneratedLayout::Uint8Hwc ? output : quantized_.data();
  for (std::size_t index = 0; index < quantized_.size(); ++index)
    quantized[index] = quantize_generated_value(source[index]);
  if (layout_ == GeneratedLayout::Float32Chw)
    normalize_images_cpu(quantized_.data(), 1, output_size_, output_size_, normalization_,
                         reinterpret_cast<float*>(output));
  return true;
}

}  // namespace genint
