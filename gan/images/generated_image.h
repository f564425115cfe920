// Turns a generator image ([−1, 1] float RGB CHW at the generator's resolution) into a loader sample with the
// natural source's exact layout and normalization: resized, quantized to uint8, then HWC or normalized CHW.
#pragma once

#include <cstdint>
#include <vector>

#include "nn/ops/normalize_images.h"

namespace genint {

enum class GeneratedLayout { Uint8Hwc, Float32Chw };

// One per worker thread: scratch images keep their capacity, so converting allocates nothing after the first.
class GeneratedImageConverter {
 public:
  GeneratedImageConverter(int input_resolution, int output_size, GeneratedLayout layout,
                          ImageNormalization normalization = {});

  // `image`: [3, input_resolution, input_resolution]. `output`: output_bytes() of sample memory. Returns false
  // (output untouched) when the image holds a non-finite value, which no quantization can represent.
  bool convert(const float* image, std::uint8_t* output);

  std::size_t output_bytes() const;
  int output_size() const { return output_size_; }

 private:
  int input_resolution_;
  int output_size_;
  GeneratedLayout layout_;
  ImageNormalization normalization_;
  std::vector<float> interleaved_;       // input_resolution² × 3, HWC, still in [−1, 1]
  std::vector<float> resized_;           // output_size² × 3, HWC
  std::vector<std::uint8_t> quantized_;  // output_size² × 3, HWC (Float32Chw only: normalized from here)
};

// (x + 1) · 127.5 rounded to nearest and clamped to [0, 255]: the pixel a PNG of the generator's output holds.
std::uint8_t quantize_generated_value(float value);

}  // namespace genint
