// NaturalSampleMaker: header → crop chosen in original coordinates → ROI decode at the smallest covering
// DCT scale → OpenCV resize → (flip → AutoAugment) → augment → one fused flip/normalize/transpose pass.
#include "io/natural/natural_pipeline.h"

#include <algorithm>
#include <cstring>

#include "nn/core/error.h"

namespace genint::io {
namespace {

JpegDecoderOptions decoder_options(const NaturalPipelineConfig& config) {
  JpegDecoderOptions options;
  options.max_pixels = config.max_pixels;
  options.fast_dct = config.fast_dct;
  return options;
}

// Mirrors a width × height RGB image left-right in place (RandomHorizontalFlip).
void mirror_in_place(std::uint8_t* image, int width, int height) {
  for (int row = 0; row < height; ++row) {
    std::uint8_t* left = image + std::size_t(row) * width * 3;
    std::uint8_t* right = left + std::size_t(width - 1) * 3;
    for (; left < right; left += 3, right -= 3) std::swap_ranges(left, left + 3, right);
  }
}

SampleResult skipped(const DecodeOutcome outcome, std::string detail) {
  SampleResult result;
  result.outcome = outcome;
  result.detail = std::move(detail);
  return result;
}

}  // namespace

NaturalSampleMaker::NaturalSampleMaker(NaturalPipelineConfig config)
    : config_(config), decoder_(decoder_options(config)) {
  GENINT_CHECK(config_.output_size > 0, "NaturalPipelineConfig::output_size must be positive");
  GENINT_CHECK(config_.border_crop_pixels >= 0, "NaturalPipelineConfig::border_crop_pixels must be >= 0");
  GENINT_CHECK(config_.mode == PipelineMode::Train || config_.eval_resize_size >= config_.output_size,
               "NaturalPipelineConfig::eval_resize_size must be >= output_size");
  normalization_ = normalization_affine(config_.normalization);  // validates std > 0 up front
  resized_.resize(output_values());
  if (config_.mode == PipelineMode::Train && config_.auto_augment) {
    auto_augment_.emplace(*config_.auto_augment);
    auto_augment_->reserve(config_.output_size, config_.output_size);
  }
}

std::size_t NaturalSampleMaker::output_values() const {
  return std::size_t(3) * config_.output_size * config_.output_size;
}

SampleResult NaturalSampleMaker::make(const std::uint8_t* data, std::size_t size, std::uint64_t seed, float* output) {
  GENINT_CHECK(config_.layout == OutputLayout::FloatCHW, "NaturalSampleMaker: float output needs layout FloatCHW");
  return make_any(data, size, seed, output, nullptr);
}

SampleResult NaturalSampleMaker::make(const std::uint8_t* data, std::size_t size, std::uint64_t seed,
                                      std::uint8_t* output) {
  GENINT_CHECK(config_.layout == OutputLayout::Uint8HWC, "NaturalSampleMaker: uint8 output needs layout Uint8HWC");
  return make_any(data, size, seed, nullptr, output);
}

SampleResult NaturalSampleMaker::make_from_file(const std::string& path, std::uint64_t seed, float* output) {
  GENINT_CHECK(config_.layout == OutputLayout::FloatCHW, "NaturalSampleMaker: float output needs layout FloatCHW");
  return make_from_file_any(path, seed, output, nullptr);
}

SampleResult NaturalSampleMaker::make_from_file(const std::string& path, std::uint64_t seed, std::uint8_t* output) {
  GENINT_CHECK(config_.layout == OutputLayout::Uint8HWC, "NaturalSampleMaker: uint8 output needs layout Uint8HWC");
  return make_from_file_any(path, seed, nullptr, output);
}

SampleResult NaturalSampleMaker::make_staged_from_file(const std::string& path, std::uint64_t seed, std::uint8_t* hwc) {
  return make_from_file_any(path, seed, nullptr, hwc);
}

// flip_copy_hwc then an unflipped flip_normalize_to_chw reads every pixel from where the flipped pass would: the
// same values through the same arithmetic.
void NaturalSampleMaker::normalise_staged(const std::uint8_t* hwc, float* output) const {
  GENINT_CHECK(config_.layout == OutputLayout::FloatCHW, "NaturalSampleMaker: normalising needs layout FloatCHW");
  flip_normalize_to_chw(hwc, config_.output_size, config_.output_size, false, normalization_, output);
}

SampleResult NaturalSampleMaker::make_from_file_any(const std::string& path, std::uint64_t seed, float* float_output,
                                                    std::uint8_t* byte_output) {
  const FileReadResult read = read_file_into(path, file_buffer_);
  if (read.outcome != FileReadOutcome::Ok) {
    return skipped(decode_outcome_of_file_read(read.outcome),
                   std::string(file_read_outcome_name(read.outcome)) + (read.detail.empty() ? "" : ": " + read.detail));
  }
  return make_any(file_buffer_.data(), file_buffer_.size(), seed, float_output, byte_output);
}

SampleResult NaturalSampleMaker::make_any(const std::uint8_t* data, std::size_t size, std::uint64_t seed,
                                          float* float_output, std::uint8_t* byte_output) {
  const ImageHeader header = decoder_.read_header(data, size);
  if (!decode_outcome_has_pixels(header.outcome)) return skipped(header.outcome, header.detail);
  // Draw order is fixed (crop, flip, augmentations) so a seed always means the same sample.
  SampleRandom random(seed);
  bool flip = false;
  const DecodeRequest request = plan_request(header.width, header.height, random, flip);
  const DecodeResult decoded = decoder_.decode(data, size, request);
  SampleResult result;
  result.outcome = decoded.outcome;
  result.detail = decoded.detail;
  result.warning_count = decoded.warning_count;
  result.premature_end = decoded.premature_end;
  result.source_width = decoded.source_width;
  result.source_height = decoded.source_height;
  result.scale_eighths = decoded.scale_eighths;
  result.crop = request.region;
  result.flipped = flip;
  if (!decode_outcome_has_pixels(decoded.outcome)) return result;

  resample(decoded);
  const int size_out = config_.output_size;
  const bool flip_in_output = !flip_and_auto_augment(flip, random, result);
  if (config_.mode == PipelineMode::Train && config_.augment.any())
    apply_augmentations(resized_.data(), size_out, size_out, config_.augment, random, augment_scratch_);
  if (float_output != nullptr)
    flip_normalize_to_chw(resized_.data(), size_out, size_out, flip && flip_in_output, normalization_, float_output);
  else
    flip_copy_hwc(resized_.data(), size_out, size_out, flip && flip_in_output, byte_output);
  return result;
}

// AutoAugment sees the mirrored crop, as in torchvision, so with it the flip happens here instead of in the
// output pass. Returns whether AutoAugment ran (and so did the flip). Without AutoAugment nothing changes and
// nothing is drawn, so seeds keep their pixels.
bool NaturalSampleMaker::flip_and_auto_augment(bool flip, SampleRandom& random, SampleResult& result) {
  if (!auto_augment_) return false;
  const int size_out = config_.output_size;
  if (flip) mirror_in_place(resized_.data(), size_out, size_out);
  result.auto_augment = auto_augment_->draw(random);
  auto_augment_->apply(resized_.data(), size_out, size_out, result.auto_augment);
  return true;
}

// The region to decode, in original coordinates, and the size it must cover. Crops are drawn on the image
// inside ObjectNet's border (removed first, so every later step sees the inner image only).
DecodeRequest NaturalSampleMaker::plan_request(int width, int height, SampleRandom& random, bool& flip) {
  const int border = std::min(config_.border_crop_pixels, std::min(width - 1, height - 1) / 2);
  const int inner_width = width - 2 * border, inner_height = height - 2 * border;
  DecodeRequest request;
  if (config_.mode == PipelineMode::Train) {
    request.region = random_resized_crop_params(inner_width, inner_height, config_.crop, random);
    request.min_output_width = request.min_output_height = config_.output_size;
    flip = config_.horizontal_flip && random.coin(0.5);
  } else {
    // Eval resizes the whole (inner) image and crops its centre, exactly as Resize + CenterCrop do.
    eval_geometry_ =
        resize_center_crop_geometry(inner_width, inner_height, config_.eval_resize_size, config_.output_size);
    request.region = {0, 0, inner_width, inner_height};
    request.min_output_width = eval_geometry_.resized_width;
    request.min_output_height = eval_geometry_.resized_height;
    flip = false;
  }
  request.region.x += border;
  request.region.y += border;
  return request;
}

// Decoded region → output_size² HWC in resized_ (train: the crop; eval: resize, then the centre window).
void NaturalSampleMaker::resample(const DecodeResult& decoded) {
  const int size_out = config_.output_size;
  if (config_.mode == PipelineMode::Train) {
    resizer_.resize(decoded, size_out, size_out, resized_.data());
    return;
  }
  const ResizeCenterCrop& geometry = eval_geometry_;
  const std::size_t row_bytes = std::size_t(geometry.resized_width) * 3;
  if (eval_resized_.size() < row_bytes * geometry.resized_height)
    eval_resized_.resize(row_bytes * geometry.resized_height);
  resizer_.resize(decoded, geometry.resized_width, geometry.resized_height, eval_resized_.data());
  for (int row = 0; row < size_out; ++row)
    std::memcpy(
        resized_.data() + std::size_t(row) * size_out * 3,
        eval_resized_.data() + std::size_t(geometry.crop.y + row) * row_bytes + std::size_t(geometry.crop.x) * 3,
        std::size_t(size_out) * 3);
}

}  // namespace genint::io
