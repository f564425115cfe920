// The natural-image path for one sample: file bytes → ROI/DCT-scaled decode → crop → resize → flip →
// AutoAugment/augment → normalized float CHW (or uint8 HWC for GPU normalization), into caller-provided memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "io/jpeg/jpeg_decoder.h"
#include "io/transforms/auto_augment.h"
#include "io/transforms/image_augment.h"
#include "io/transforms/random_resized_crop.h"
#include "io/transforms/region_resize.h"
#include "nn/ops/normalize_images.h"

namespace genint::io {

enum class PipelineMode {
  Train,  // RandomResizedCrop + horizontal flip (+ the optional augmentations)
  Eval,   // Resize(shorter side = eval_resize_size, bilinear) + CenterCrop(output_size)
};

enum class OutputLayout {
  FloatCHW,  // 3 × size × size float32, normalized with `normalization`
  Uint8HWC,  // size × size × 3 uint8 RGB, to normalize later (nn/ops/normalize_images.h, e.g. on the GPU)
};

struct NaturalPipelineConfig {
  int output_size = 224;
  PipelineMode mode = PipelineMode::Train;
  bool horizontal_flip = true;    // train only, p = 0.5
  RandomResizedCropOptions crop;  // train only: torchvision's scale/ratio
  int eval_resize_size = 256;     // eval only
  int border_crop_pixels = 0;     // pixels removed from every side before anything else (ObjectNet: 2)
  AugmentOptions augment;         // train only: the paper's "additional augmentation" (off by default)
  // Train only: torchvision's AutoAugment after the crop and the flip, as its reference recipe orders them
  // (RandomResizedCrop → RandomHorizontalFlip → AutoAugment → PILToTensor → normalize). Off when empty.
  std::optional<AutoAugmentOptions> auto_augment;
  OutputLayout layout = OutputLayout::FloatCHW;
  ImageNormalization normalization;  // FloatCHW only
  std::uint64_t max_pixels = std::uint64_t{64} * 1000 * 1000;
  bool fast_dct = false;  // see JpegDecoderOptions::fast_dct
};

// What happened to one sample. When the outcome has no pixels, the output memory is left untouched
// and the loader is expected to skip (or replace) the sample.
struct SampleResult {
  DecodeOutcome outcome = DecodeOutcome::Corrupt;
  std::string detail;
  int warning_count = 0;
  bool premature_end = false;
  int source_width = 0;
  int source_height = 0;
  PixelRect crop;  // the decoded region in original image coordinates (train: the random crop;
                   // eval: the whole image inside the border, before Resize + CenterCrop)
  bool flipped = false;
  int scale_eighths = 8;           // the DCT scale the decode used
  AutoAugmentChoice auto_augment;  // sub_policy −1 when AutoAugment is off (or the sample has no pixels)
};

// One per thread, reused for every sample: it owns a JpegDecoder and scratch images that keep capacity.
// Same bytes + same seed → same crop, flip, augmentation and bit-identical output.
class NaturalSampleMaker {
 public:
  explicit NaturalSampleMaker(NaturalPipelineConfig config);

  // `output` must hold output_values() floats (FloatCHW layout).
  SampleResult make(const std::uint8_t* data, std::size_t size, std::uint64_t seed, float* output);
  // `output` must hold output_values() bytes (Uint8HWC layout).
  SampleResult make(const std::uint8_t* data, std::size_t size, std::uint64_t seed, std::uint8_t* output);
  // Reads the file into a reused buffer first; Unreadable/NotAFile/Empty come from the reader.
  SampleResult make_from_file(const std::string& path, std::uint64_t seed, float* output);
  SampleResult make_from_file(const std::string& path, std::uint64_t seed, std::uint8_t* output);
  // Either layout, in two steps: the uint8 HWC image (flip applied) that the FloatCHW layout would normalise, then
  // normalise_staged. The two steps give the same bits as make_from_file(float) with the same seed; between them a
  // caller may change the uint8 image (the loader's Mixup blends a pair there, where a blend is cheapest).
  SampleResult make_staged_from_file(const std::string& path, std::uint64_t seed, std::uint8_t* hwc);
  void normalise_staged(const std::uint8_t* hwc, float* output) const;

  std::size_t output_values() const;  // 3 × size × size: floats (FloatCHW) or bytes (Uint8HWC)
  const NaturalPipelineConfig& config() const { return config_; }

 private:
  SampleResult make_any(const std::uint8_t* data, std::size_t size, std::uint64_t seed, float* float_output,
                        std::uint8_t* byte_output);
  DecodeRequest plan_request(int width, int height, SampleRandom& random, bool& flip);
  void resample(const DecodeResult& decoded);
  SampleResult make_from_file_any(const std::string& path, std::uint64_t seed, float* float_output,
                                  std::uint8_t* byte_output);
  bool flip_and_auto_augment(bool flip, SampleRandom& random, SampleResult& result);

  NaturalPipelineConfig config_;
  JpegDecoder decoder_;
  RegionResizer resizer_;
  std::vector<std::uint8_t> file_buffer_;
  NormalizationAffine normalization_{};
  ResizeCenterCrop eval_geometry_;             // eval: this sample's Resize + CenterCrop
  std::vector<std::uint8_t> resized_;          // output_size² × 3, HWC
  std::vector<std::uint8_t> eval_resized_;     // eval: the whole resized image before its centre crop
  std::vector<std::uint8_t> augment_scratch_;  // rotation's destination
  std::optional<AutoAugment> auto_augment_;    // train with config.auto_augment only
};

}  // namespace genint::io
