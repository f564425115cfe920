// NaturalSampleMaker end to end: determinism from the seed, float output = uint8 output + normalize,
// train output against an independent full-decode reference, eval = torchvision's Resize + CenterCrop,
// ObjectNet's border crop, and skips that leave the caller's memory untouched.
#include "io/natural/natural_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "io/jpeg/jpeg_test_support.h"
#include "nn/core/error.h"

namespace genint::io {
namespace {

using testing::TempDir;

NaturalPipelineConfig bytes_config(PipelineMode mode) {
  NaturalPipelineConfig config;
  config.mode = mode;
  config.layout = OutputLayout::Uint8HWC;
  return config;
}

cv::Mat full_decode(const std::vector<std::uint8_t>& bytes) {
  JpegDecoder decoder;
  const DecodeResult result = decoder.decode(bytes.data(), bytes.size(), {});
  EXPECT_EQ(result.outcome, DecodeOutcome::Ok);
  return cv::Mat(result.height, result.width, CV_8UC3, const_cast<std::uint8_t*>(result.pixels), result.row_stride)
      .clone();
}

double mean_abs_difference(const cv::Mat& first, const cv::Mat& second) {
  cv::Mat difference;
  cv::absdiff(first, second, difference);
  const cv::Scalar means = cv::mean(difference);
  return (means[0] + means[1] + means[2]) / 3.0;
}

TEST(NaturalPipeline, SameSeedSameSampleAndFloatEqualsNormalizedBytes) {
  const auto bytes = testing::natural_like_jpeg(500, 375, 1);
  NaturalPipelineConfig float_config;
  NaturalSampleMaker float_maker(float_config), byte_maker(bytes_config(PipelineMode::Train));
  std::vector<float> first(float_maker.output_values()), second(first.size()), normalized(first.size());
  std::vector<std::uint8_t> pixels(byte_maker.output_values());
  const SampleResult result = float_maker.make(bytes.data(), bytes.size(), 42, first.data());
  ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
  float_maker.make(bytes.data(), bytes.size(), 42, second.data());
  EXPECT_EQ(first, second);
  float_maker.make(bytes.data(), bytes.size(), 43, second.data());
  EXPECT_NE(first, second);
  const SampleResult byte_result = byte_maker.make(bytes.data(), bytes.size(), 42, pixels.data());
  EXPECT_EQ(byte_result.crop.x, result.crop.x);
  EXPECT_EQ(byte_result.flipped, result.flipped);
  normalize_images_cpu(pixels.data(), 1, 224, 224, float_config.normalization, normalized.data());
  EXPECT_EQ(first, normalized);  // the GPU-normalized uint8 path gives the same numbers
}

// Train samples against an independent reference: full 8/8 decode, the reported crop, cv::resize, flip.
// Bound: mean abs difference < 3/255 averaged over samples (the decoder test's bound for the same
// DCT-scaling vs resize difference); a scale/geometry bug (wrong crop, unflipped) gives tens of levels.
TEST(NaturalPipeline, TrainSamplesMatchFullDecodeCropResizeFlip) {
  const auto bytes = testing::natural_like_jpeg(1024, 768, 2);
  const cv::Mat full = full_decode(bytes);
  NaturalSampleMaker maker(bytes_config(PipelineMode::Train));
  cv::Mat output(224, 224, CV_8UC3);
  double total = 0.0;
  int flips = 0, scaled = 0;
  const int samples = 40;
  for (int sample = 0; sample < samples; ++sample) {
    const SampleResult result = maker.make(bytes.data(), bytes.size(), 1000 + sample, output.data);
    ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
    cv::Mat reference;
    cv::resize(full(cv::Rect(result.crop.x, result.crop.y, result.crop.width, result.crop.height)), reference,
               cv::Size(224, 224), 0, 0, cv::INTER_AREA);
    if (result.flipped) cv::flip(reference, reference, 1);
    total += mean_abs_difference(output, reference);
    flips += result.flipped;
    scaled += result.scale_eighths < 8;
  }
  std::printf("[ figures  ] %d train samples, %d flipped, %d DCT-scaled: mean abs diff %.3f/255\n", samples, flips,
              scaled, total / samples);
  EXPECT_LT(total / samples, 3.0);
  EXPECT_GT(flips, 5);  // p = 0.5 over 40 samples: fewer than 6 has probability < 1e-6
  EXPECT_GT(scaled, 0);
}

// Eval = torchvision's Resize(256) + CenterCrop(224). 500×375 at the power-of-two scales decodes at 8/8,
// so the pipeline must equal cv::resize of the full decode + the centre crop exactly.
TEST(NaturalPipeline, EvalIsResizeThenCenterCrop) {
  const auto bytes = testing::natural_like_jpeg(500, 375, 3);
  const cv::Mat full = full_decode(bytes);
  NaturalSampleMaker maker(bytes_config(PipelineMode::Eval));
  cv::Mat output(224, 224, CV_8UC3);
  const SampleResult result = maker.make(bytes.data(), bytes.size(), 7, output.data);
  ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
  EXPECT_FALSE(result.flipped);
  cv::Mat resized;
  cv::resize(full, resized, cv::Size(341, 256), 0, 0, cv::INTER_LINEAR);
  const cv::Mat expected = resized(cv::Rect(58, 16, 224, 224));
  EXPECT_EQ(mean_abs_difference(output, expected), 0.0);
}

// ObjectNet: the 2-pixel border goes before the resize. A red frame must leave no trace in the output.
TEST(NaturalPipeline, BorderCropRemovesTheFrameBeforeResizing) {
  auto pixels = testing::natural_like_rgb(400, 300, 4);
  for (int y = 0; y < 300; ++y)
    for (int x = 0; x < 400; ++x)
      if (x < 2 || y < 2 || x >= 398 || y >= 298) {
        std::uint8_t* pixel = pixels.data() + (std::size_t(y) * 400 + x) * 3;
        pixel[0] = 255, pixel[1] = 0, pixel[2] = 0;
      }
  testing::EncodeOptions options;
  options.quality = 100;
  options.horizontal_sampling = options.vertical_sampling = 1;  // no chroma bleeding of the red frame
  const auto bytes = testing::encode_jpeg(pixels.data(), 400, 300, options);
  NaturalPipelineConfig config = bytes_config(PipelineMode::Eval);
  config.border_crop_pixels = 2;
  config.eval_resize_size = 224;  // keep the whole width: the frame's columns would reach the output
  NaturalSampleMaker maker(config);
  cv::Mat output(224, 224, CV_8UC3);
  const SampleResult result = maker.make(bytes.data(), bytes.size(), 1, output.data);
  ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
  EXPECT_EQ(result.crop.x, 2);
  EXPECT_EQ(result.crop.width, 396);
  const cv::Mat full = full_decode(bytes);
  cv::Mat resized;
  cv::resize(full(cv::Rect(2, 2, 396, 296)), resized, cv::Size(299, 224), 0, 0, cv::INTER_LINEAR);
  // 396×296 → 224 at 4/8 is not covered (198 < 224) → decoded at 8/8: exact.
  EXPECT_EQ(mean_abs_difference(output, resized(cv::Rect(38, 0, 224, 224))), 0.0);
  // Without the border crop the frame shows in the top row.
  config.border_crop_pixels = 0;
  NaturalSampleMaker framed(config);
  framed.make(bytes.data(), bytes.size(), 1, output.data);
  EXPECT_GT(output.at<cv::Vec3b>(0, 100)[0], 200);
  EXPECT_LT(output.at<cv::Vec3b>(0, 100)[1], 60);
}

TEST(NaturalPipeline, SkipsLeaveTheOutputUntouched) {
  TempDir dir;
  NaturalSampleMaker maker(NaturalPipelineConfig{});
  std::vector<float> output(maker.output_values(), -7.0f);
  const auto truncated = testing::natural_like_jpeg(64, 64, 5);
  const std::vector<std::uint8_t> cut(truncated.begin(), truncated.begin() + 10);
  EXPECT_EQ(maker.make_from_file(dir.write("cut.JPEG", cut), 1, output.data()).outcome, DecodeOutcome::Truncated);
  EXPECT_EQ(maker.make_from_file(dir.write("empty.JPEG", {}), 1, output.data()).outcome, DecodeOutcome::Empty);
  const SampleResult missing = maker.make_from_file((dir.path() / "none.JPEG").string(), 1, output.data());
  EXPECT_EQ(missing.outcome, DecodeOutcome::Unreadable);
  EXPECT_NE(missing.detail.find("missing"), std::string::npos);  // the reader's reason, without the path
  EXPECT_TRUE(std::all_of(output.begin(), output.end(), [](float value) { return value == -7.0f; }));
  // A 1-pixel and a 2×3000 image still give full samples.
  for (const auto& [width, height] : {std::pair{1, 1}, std::pair{2, 3000}}) {
    const auto bytes = testing::natural_like_jpeg(width, height, 6);
    const SampleResult result = maker.make_from_file(dir.write("small.JPEG", bytes), 2, output.data());
    EXPECT_EQ(result.outcome, DecodeOutcome::Ok) << width << "x" << height;
    EXPECT_TRUE(std::none_of(output.begin(), output.end(), [](float value) { return value == -7.0f; }));
  }
}

TEST(NaturalPipeline, WrongLayoutIsAnError) {
  NaturalSampleMaker maker(NaturalPipelineConfig{});  // FloatCHW
  std::vector<std::uint8_t> bytes(maker.output_values());
  EXPECT_THROW(maker.make(nullptr, 0, 1, bytes.data()), genint::Error);
}

TEST(NaturalPipeline, AugmentedTrainSamplesAreDeterministic) {
  NaturalPipelineConfig config = bytes_config(PipelineMode::Train);
  config.augment.rotation_degrees = 10;
  config.augment.brightness = config.augment.contrast = config.augment.saturation = 0.4;
  NaturalSampleMaker maker(config);
  const auto bytes = testing::natural_like_jpeg(320, 240, 7);
  std::vector<std::uint8_t> first(maker.output_values()), second(maker.output_values());
  maker.make(bytes.data(), bytes.size(), 9, first.data());
  maker.make(bytes.data(), bytes.size(), 9, second.data());
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace genint::io
