// normalize_images: uint8 HWC images → float32 CHW planes, (pixel/255 − mean[c]) / std[c].
// The loader ships uint8 batches and normalizes on the GPU; the CPU twin is the truth in tests.
#pragma once

#include <array>
#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

struct ImageNormalization {
  std::array<float, 3> mean{0.485f, 0.456f, 0.406f};  // ImageNet, as torchvision
  std::array<float, 3> std{0.229f, 0.224f, 0.225f};
};

// Per channel, output = pixel * scale + shift: both backends evaluate exactly this fused multiply-add.
// Plain arrays (not std::array) because the struct is passed by value into a CUDA kernel.
struct NormalizationAffine {
  float scale[3];
  float shift[3];
};
NormalizationAffine normalization_affine(const ImageNormalization& normalization);

// images: count × height × width × 3 (uint8, HWC); output: count × 3 × height × width (float32).
void normalize_images_cpu(const std::uint8_t* images, std::int64_t count, int height, int width,
                          const ImageNormalization& normalization, float* output);
// Same on CUDA device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void normalize_images_cuda(const std::uint8_t* device_images, std::int64_t count, int height, int width,
                           const ImageNormalization& normalization, float* device_output, void* stream);

// Dispatch point: the CPU function, or its CUDA twin on target.stream (images and output on the target).
void normalize_images(const OpTarget& target, const std::uint8_t* images, std::int64_t count, int height, int width,
                      const ImageNormalization& normalization, float* output);

}  // namespace genint
