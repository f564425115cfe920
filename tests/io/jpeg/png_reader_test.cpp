// read_png_rgb against OpenCV's imdecode(IMREAD_COLOR), the decoder it replaces: every PNG variant OpenCV can write
// (8- and 16-bit colour, with and without alpha, grey, 16-bit grey, 1-bit grey) must give the same bytes; broken
// data and oversized headers must be refused with a reason.
#include "io/jpeg/png_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <string>
#include <vector>

namespace genint::io {
namespace {

cv::Mat noise_image(int rows, int columns, int type, unsigned seed) {
  cv::Mat image(rows, columns, type);
  cv::RNG generator(seed);
  const double top = CV_MAT_DEPTH(type) == CV_16U ? 65536.0 : 256.0;
  generator.fill(image, cv::RNG::UNIFORM, 0.0, top);
  return image;
}

// OpenCV's decode of the same bytes, in RGB order.
std::vector<std::uint8_t> opencv_rgb(const std::vector<std::uint8_t>& png) {
  const cv::Mat bgr = cv::imdecode(png, cv::IMREAD_COLOR);
  EXPECT_EQ(bgr.type(), CV_8UC3);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return std::vector<std::uint8_t>(rgb.data, rgb.data + rgb.total() * 3);
}

struct Variant {
  const char* name;
  int type;
  bool bilevel;
};

TEST(PngReader, EveryVariantOpenCvWritesDecodesAsOpenCvDecodesIt) {
  const Variant variants[] = {{"rgb8", CV_8UC3, false},   {"rgba8", CV_8UC4, false},   {"grey8", CV_8UC1, false},
                              {"rgb16", CV_16UC3, false}, {"rgba16", CV_16UC4, false}, {"grey16", CV_16UC1, false},
                              {"grey1", CV_8UC1, true}};
  std::vector<std::uint8_t> pixels;  // reused across images, as the decoder reuses it
  unsigned seed = 1;
  for (const Variant& variant : variants) {
    SCOPED_TRACE(variant.name);
    const cv::Mat image = noise_image(23, 37, variant.type, seed++);
    std::vector<std::uint8_t> png;
    std::vector<int> parameters;
    if (variant.bilevel) parameters = {cv::IMWRITE_PNG_BILEVEL, 1};
    ASSERT_TRUE(cv::imencode(".png", image, png, parameters));
    PngImage decoded;
    std::string detail;
    ASSERT_TRUE(read_png_rgb(png.data(), png.size(), pixels, decoded, detail)) << detail;
    EXPECT_EQ(decoded.width, 37);
    EXPECT_EQ(decoded.height, 23);
    ASSERT_EQ(pixels.size(), std::size_t{37} * 23 * 3);
    EXPECT_EQ(pixels, opencv_rgb(png));  // bit for bit: the same transforms, no rounding of their own
  }
}

TEST(PngReader, BrokenDataIsRefusedWithAReason) {
  std::vector<std::uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", noise_image(16, 16, CV_8UC3, 9), png));
  std::vector<std::uint8_t> pixels;
  PngImage image;
  std::string detail;
  const std::vector<std::uint8_t> cut(png.begin(), png.begin() + static_cast<std::ptrdiff_t>(png.size() / 2));
  EXPECT_FALSE(read_png_rgb(cut.data(), cut.size(), pixels, image, detail));
  EXPECT_NE(detail.find("libpng"), std::string::npos) << detail;
  std::vector<std::uint8_t> flipped = png;
  flipped[40] ^= 0x5a;  // inside IDAT's compressed data (IHDR ends at byte 33): its CRC no longer matches
  detail.clear();
  EXPECT_FALSE(read_png_rgb(flipped.data(), flipped.size(), pixels, image, detail));
  EXPECT_FALSE(detail.empty());
  EXPECT_TRUE(has_png_signature(png.data(), png.size()));
  EXPECT_FALSE(has_png_signature(png.data(), 7));
}

TEST(PngReader, AHeaderAskingForTooManyPixelsIsRefusedBeforeAllocating) {
  std::vector<std::uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", noise_image(4, 4, CV_8UC3, 3), png));
  // IHDR's width and height (bytes 16..23, big-endian) set to 1 000 000 × 2 000 (libpng's own limit is 10^6 on a
  // side), 2·10^9 pixels, over the 2^30 limit, and the CRC (bytes 29..32, over the chunk type and data, bytes
  // 12..28) recomputed: libpng accepts the header, the size check refuses it.
  const std::uint8_t size_fields[8] = {0x00, 0x0F, 0x42, 0x40, 0x00, 0x00, 0x07, 0xD0};
  std::copy(size_fields, size_fields + 8, png.begin() + 16);
  const auto crc = static_cast<std::uint32_t>(crc32(crc32(0L, Z_NULL, 0), png.data() + 12, 17));
  for (int byte = 0; byte < 4; ++byte) png[29 + byte] = static_cast<std::uint8_t>(crc >> (24 - 8 * byte));
  std::vector<std::uint8_t> pixels;
  PngImage image;
  std::string detail;
  EXPECT_FALSE(read_png_rgb(png.data(), png.size(), pixels, image, detail));
  EXPECT_NE(detail.find("larger than"), std::string::npos) << detail;
  EXPECT_TRUE(pixels.empty());
}

}  // namespace
}  // namespace genint::io
