// JpegDecoder pixel tests: full decode against OpenCV, region decode at 8/8 against the same region of a
// full decode, and scaled region decode + resize against full decode + crop + resize on the corpus.
#include "io/jpeg/jpeg_decoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <utility>

#include "io/jpeg/jpeg_test_support.h"
#include "io/transforms/region_resize.h"

namespace genint::io {
namespace {

using testing::EncodeOptions;

// Copies a decode result into a tightly packed RGB cv::Mat.
cv::Mat to_mat(const DecodeResult& result) {
  return cv::Mat(result.height, result.width, CV_8UC3, const_cast<std::uint8_t*>(result.pixels), result.row_stride)
      .clone();
}

struct Difference {
  double mean = 0.0;
  int max = 0;
};

Difference difference(const cv::Mat& first, const cv::Mat& second) {
  cv::Mat absolute;
  cv::absdiff(first, second, absolute);
  double max_value = 0.0;
  cv::minMaxLoc(absolute.reshape(1), nullptr, &max_value);
  const cv::Scalar channel_means = cv::mean(absolute);
  return {(channel_means[0] + channel_means[1] + channel_means[2]) / 3.0, static_cast<int>(max_value)};
}

TEST(JpegDecoder, CoveringScaleIsTheSmallestThatDoesNotUpsample) {
  EXPECT_EQ(smallest_covering_scale_eighths(1792, 1792, 224, 224, true), 1);
  EXPECT_EQ(smallest_covering_scale_eighths(1791, 1792, 224, 224, true), 2);
  EXPECT_EQ(smallest_covering_scale_eighths(448, 448, 224, 224, true), 4);
  EXPECT_EQ(smallest_covering_scale_eighths(447, 448, 224, 224, true), 5);
  EXPECT_EQ(smallest_covering_scale_eighths(300, 1000, 224, 224, true), 6);
  EXPECT_EQ(smallest_covering_scale_eighths(100, 100, 224, 224, true), 8);  // never upsample in the DCT
  EXPECT_EQ(smallest_covering_scale_eighths(500, 500, 0, 0, true), 8);      // no output size: full resolution
  EXPECT_EQ(smallest_covering_scale_eighths(500, 500, 0, 100, true), 2);
  // Powers of two only (the SIMD scales): 5/8 and 6/8 become 8/8, 3/8 becomes 4/8.
  EXPECT_EQ(smallest_covering_scale_eighths(447, 448, 224, 224, false), 8);
  EXPECT_EQ(smallest_covering_scale_eighths(300, 1000, 224, 224, false), 8);
  EXPECT_EQ(smallest_covering_scale_eighths(600, 600, 224, 224, false), 4);
  EXPECT_EQ(smallest_covering_scale_eighths(1791, 1792, 224, 224, false), 2);
}

TEST(JpegDecoder, OutcomeNamesAndPixelOutcomes) {
  EXPECT_STREQ(decode_outcome_name(DecodeOutcome::PngDecoded), "png_decoded");
  EXPECT_STREQ(decode_outcome_name(DecodeOutcome::TooManyPixels), "too_many_pixels");
  EXPECT_TRUE(decode_outcome_has_pixels(DecodeOutcome::OkWithWarnings));
  EXPECT_FALSE(decode_outcome_has_pixels(DecodeOutcome::Truncated));
}

// With JDCT_ISLOW (the default) the decoder must equal OpenCV's imdecode (the same libjpeg-turbo and
// settings); JDCT_IFAST must stay within a few levels.
TEST(JpegDecoder, FullDecodeWithIslowEqualsOpenCv) {
  for (const bool progressive : {false, true}) {
    EncodeOptions options;
    options.progressive = progressive;
    const auto bytes = testing::natural_like_jpeg(301, 203, 7, options);
    JpegDecoder decoder;
    const DecodeResult result = decoder.decode(bytes.data(), bytes.size(), {});
    ASSERT_EQ(result.outcome, DecodeOutcome::Ok) << result.detail;
    ASSERT_EQ(result.width, 301);
    ASSERT_EQ(result.height, 203);
    cv::Mat reference = cv::imdecode(bytes, cv::IMREAD_COLOR);
    cv::cvtColor(reference, reference, cv::COLOR_BGR2RGB);
    EXPECT_EQ(difference(to_mat(result), reference).max, 0) << "progressive " << progressive;
    JpegDecoderOptions fast_options;
    fast_options.fast_dct = true;
    JpegDecoder fast_decoder(fast_options);
    const Difference fast = difference(to_mat(fast_decoder.decode(bytes.data(), bytes.size(), {})), reference);
    EXPECT_GT(fast.max, 0);     // really the other IDCT
    EXPECT_LT(fast.mean, 1.5);  // IFAST's fixed-point error: ~1 level on average (0.98 measured on the corpus)
    EXPECT_LE(fast.max, 12);    // and a few levels at worst (7 measured on the corpus)
  }
}

// Region decoding at 8/8 skips rows and iMCU columns but must reproduce the full decode's pixels.
// (The decoder widens the libjpeg crop by a column on each side so fancy chroma upsampling sees the real
// neighbours; without that the region's edge columns differ by up to 4 levels on 4:2:0 images.)
TEST(JpegDecoder, RegionDecodeAtFullScaleIsBitExact) {
  std::mt19937 generator(11);
  for (const int sampling : {1, 2}) {
    EncodeOptions options;
    options.horizontal_sampling = options.vertical_sampling = sampling;
    const auto bytes = testing::natural_like_jpeg(517, 389, 3, options);
    JpegDecoder decoder;
    const cv::Mat full = to_mat(decoder.decode(bytes.data(), bytes.size(), {}));
    for (int trial = 0; trial < 40; ++trial) {
      const int width = 1 + static_cast<int>(generator() % 516), height = 1 + static_cast<int>(generator() % 388);
      const int x = static_cast<int>(generator() % (517 - width + 1)),
                y = static_cast<int>(generator() % (389 - height + 1));
      DecodeRequest request;
      request.region = {x, y, width, height};
      const DecodeResult result = decoder.decode(bytes.data(), bytes.size(), request);
      ASSERT_EQ(result.outcome, DecodeOutcome::Ok) << result.detail;
      ASSERT_EQ(result.scale_eighths, 8);
      ASSERT_EQ(result.width, width);
      ASSERT_EQ(result.height, height);
      const Difference diff = difference(to_mat(result), full(cv::Rect(x, y, width, height)));
      EXPECT_EQ(diff.max, 0) << "sampling " << sampling << " region " << x << "," << y << " " << width << "x" << height;
    }
  }
}

// At reduced scales too (baseline and progressive, 4:2:0 and 4:4:4, SIMD and scalar IDCT scales), the
// region is bit-exact with the same pixels of a whole-image decode at that scale.
TEST(JpegDecoder, RegionDecodeAtReducedScaleIsBitExactAtThatScale) {
  std::mt19937 generator(21);
  JpegDecoderOptions options;
  options.every_eighth_scale = true;
  JpegDecoder decoder(options);
  for (const bool progressive : {false, true})
    for (const int sampling : {1, 2}) {
      EncodeOptions encode;
      encode.progressive = progressive;
      encode.horizontal_sampling = encode.vertical_sampling = sampling;
      const auto bytes = testing::natural_like_jpeg(777, 555, 4, encode);
      for (int trial = 0; trial < 12; ++trial) {
        const int width = 200 + static_cast<int>(generator() % 500), height = 200 + static_cast<int>(generator() % 300);
        DecodeRequest request;
        request.region = {static_cast<int>(generator() % (777 - width + 1)),
                          static_cast<int>(generator() % (555 - height + 1)), width, height};
        request.min_output_width = request.min_output_height = 40 + static_cast<int>(generator() % 150);
        const DecodeResult region = decoder.decode(bytes.data(), bytes.size(), request);
        ASSERT_EQ(region.outcome, DecodeOutcome::Ok) << region.detail;
        const cv::Mat region_pixels = to_mat(region);
        const int scale = region.scale_eighths;
        const PixelRect scaled = region.scaled_region;
        // The whole image at the same scale: only the width asks, floor(777·s/8) covers at s and not below.
        DecodeRequest whole;
        whole.min_output_width = 777 * scale / 8;
        const DecodeResult full = decoder.decode(bytes.data(), bytes.size(), whole);
        ASSERT_EQ(full.scale_eighths, scale);
        const cv::Mat expected = to_mat(full)(cv::Rect(scaled.x, scaled.y, scaled.width, scaled.height));
        EXPECT_EQ(difference(region_pixels, expected).max, 0)
            << "progressive " << progressive << " sampling " << sampling << " scale " << scale << "/8";
      }
    }
}

// The acceptance measure: on real photographs, ROI + DCT-scaled decode + the pipeline's resize against a
// full 8/8 decode + the same crop + an area-averaging resize (the antialiased reference, as torchvision's
// PIL resize is antialiased). They differ because the scaled IDCT is a DCT-domain low-pass while the last
// ≤ 2× bilinear step samples rather than averages. Bounds: mean abs difference over all crops < 3/255
// (the bound); any one crop's mean < 8/255 (finely textured crops alias under bilinear: measured
// up to 5.5); any value ≤ 128/255 (at hard edges the two filters disagree by up to half the edge's
// contrast; measured up to 95).
// (every_eighth_scale, output size): 112 makes the powers-of-two set reach 4/8 and 2/8 on this corpus
// (shorter sides 300–500), as 224 does on ImageNet's larger photographs.
class ScaledRegionOnCorpus : public ::testing::TestWithParam<std::pair<bool, int>> {};

TEST_P(ScaledRegionOnCorpus, MatchesFullDecodeCropResize) {
  const std::vector<std::string> files = testing::corpus_files();
  if (files.empty()) GTEST_SKIP() << "no corpus at " << GENINT_SHARED_DIR << "/bench/jpeg-corpus";
  std::mt19937 generator(5);
  JpegDecoderOptions decoder_options;
  decoder_options.every_eighth_scale = GetParam().first;
  const int output = GetParam().second;
  JpegDecoder decoder(decoder_options);
  RegionResizer resizer;
  double worst_mean = 0.0, sum_mean = 0.0;
  int worst_max = 0, compared = 0, scaled_decodes = 0;
  for (std::size_t index = 0; index < files.size(); index += 4) {
    const auto bytes = testing::read_bytes(files[index]);
    const DecodeResult full_result = decoder.decode(bytes.data(), bytes.size(), {});
    ASSERT_TRUE(decode_outcome_has_pixels(full_result.outcome)) << files[index];
    const cv::Mat full = to_mat(full_result);
    for (int trial = 0; trial < 4; ++trial) {
      // Large crops, where DCT scaling is used (the smallest crops decode at 8/8 and are exact).
      const int width = full.cols / 2 + static_cast<int>(generator() % (full.cols / 2 + 1));
      const int height = full.rows / 2 + static_cast<int>(generator() % (full.rows / 2 + 1));
      const int x = static_cast<int>(generator() % (full.cols - width + 1));
      const int y = static_cast<int>(generator() % (full.rows - height + 1));
      DecodeRequest request;
      request.region = {x, y, width, height};
      request.min_output_width = request.min_output_height = output;
      const DecodeResult result = decoder.decode(bytes.data(), bytes.size(), request);
      ASSERT_TRUE(decode_outcome_has_pixels(result.outcome)) << files[index] << ": " << result.detail;
      scaled_decodes += result.scale_eighths < 8;
      cv::Mat fast(output, output, CV_8UC3), reference;
      resizer.resize(result, output, output, fast.data);
      cv::resize(full(cv::Rect(x, y, width, height)), reference, cv::Size(output, output), 0, 0, cv::INTER_AREA);
      const Difference diff = difference(fast, reference);
      worst_mean = std::max(worst_mean, diff.mean);
      worst_max = std::max(worst_max, diff.max);
      sum_mean += diff.mean;
      ++compared;
    }
  }
  std::printf(
      "[ figures  ] every eighth %d, output %d: %d crops, %d DCT-scaled: mean abs diff %.3f/255 (worst image "
      "%.3f/255), max %d/255\n",
      GetParam().first ? 1 : 0, output, compared, scaled_decodes, sum_mean / compared, worst_mean, worst_max);
  EXPECT_GT(scaled_decodes, compared / 2);  // the comparison must exercise the scaled IDCT
  EXPECT_LT(sum_mean / compared, 3.0);
  EXPECT_LT(worst_mean, 8.0);
  EXPECT_LE(worst_max, 128);
}

INSTANTIATE_TEST_SUITE_P(ScaleSets, ScaledRegionOnCorpus,
                         ::testing::Values(std::pair{false, 112}, std::pair{true, 224}));

// The decoder keeps its buffers: a second pass over the same images must not move the pixel buffer.
TEST(JpegDecoder, ReusedDecoderKeepsItsBuffer) {
  const auto large = testing::natural_like_jpeg(640, 480, 1);
  const auto small = testing::natural_like_jpeg(64, 48, 2);
  JpegDecoder decoder;
  const std::uint8_t* first = decoder.decode(large.data(), large.size(), {}).pixels;
  decoder.decode(small.data(), small.size(), {});
  const std::uint8_t* again = decoder.decode(large.data(), large.size(), {}).pixels;
  EXPECT_EQ(first, again);
}

}  // namespace
}  // namespace genint::io
