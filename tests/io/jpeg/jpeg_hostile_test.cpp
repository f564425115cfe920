// Hostile and unusual inputs, each written to a temp dir and decoded from the file: every outcome is
// classified, nothing crashes, and delivered images have the right colours and sizes.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <random>

#include "io/jpeg/jpeg_decoder.h"
#include "io/jpeg/jpeg_test_support.h"

// This test binary replaces the global operator new and delete (C++ [replacement.functions]) to count the
// bytes asked for, so a test can see whether a decode allocated its pixel buffer (a std::vector) without any
// hook in the decoder. libjpeg's own memory comes from malloc and is not counted. Every non-aligned form is
// replaced, so each new meets its own delete (ASan checks that pairing).
namespace {
std::atomic<std::size_t> bytes_requested_from_new{0};

void* counted_allocation(std::size_t size) noexcept {
  bytes_requested_from_new.fetch_add(size, std::memory_order_relaxed);
  return std::malloc(size == 0 ? 1 : size);
}

void* counted_allocation_or_throw(std::size_t size) {
  if (void* pointer = counted_allocation(size)) return pointer;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t size) {
  return counted_allocation_or_throw(size);
}
void* operator new[](std::size_t size) {
  return counted_allocation_or_throw(size);
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  return counted_allocation(size);
}
void* operator new[](std::size_t size, const std::nothrow_t&) noexcept {
  return counted_allocation(size);
}
void operator delete(void* pointer) noexcept {
  std::free(pointer);
}
void operator delete[](void* pointer) noexcept {
  std::free(pointer);
}
void operator delete(void* pointer, std::size_t) noexcept {
  std::free(pointer);
}
void operator delete[](void* pointer, std::size_t) noexcept {
  std::free(pointer);
}
void operator delete(void* pointer, const std::nothrow_t&) noexcept {
  std::free(pointer);
}
void operator delete[](void* pointer, const std::nothrow_t&) noexcept {
  std::free(pointer);
}

namespace genint::io {
namespace {

using testing::EncodeOptions;
using testing::JpegColor;
using testing::TempDir;

// The bytes `call` asked operator new for.
template <typename Call>
std::size_t bytes_allocated_by(Call&& call) {
  const std::size_t before = bytes_requested_from_new.load();
  call();
  return bytes_requested_from_new.load() - before;
}

// Offset of the first byte after the SOS segment (where entropy-coded data starts).
std::size_t entropy_start(const std::vector<std::uint8_t>& bytes) {
  for (std::size_t index = 2; index + 3 < bytes.size(); ++index)
    if (bytes[index] == 0xFF && bytes[index + 1] == 0xDA)
      return index + 2 + (std::size_t{bytes[index + 2]} << 8 | bytes[index + 3]);
  return 0;
}

// Rewrites the SOF0 frame header's dimensions.
void set_frame_size(std::vector<std::uint8_t>& bytes, int width, int height) {
  for (std::size_t index = 2; index + 8 < bytes.size(); ++index)
    if (bytes[index] == 0xFF && bytes[index + 1] == 0xC0) {
      bytes[index + 5] = static_cast<std::uint8_t>(height >> 8);
      bytes[index + 6] = static_cast<std::uint8_t>(height & 0xFF);
      bytes[index + 7] = static_cast<std::uint8_t>(width >> 8);
      bytes[index + 8] = static_cast<std::uint8_t>(width & 0xFF);
      return;
    }
  FAIL() << "no SOF0 marker";
}

class HostileInput : public ::testing::Test {
 protected:
  DecodeResult decode_file(const std::string& name, const std::vector<std::uint8_t>& bytes,
                           const DecodeRequest& request = {}) {
    return decoder_.decode_file(dir_.write(name, bytes), request);
  }
  TempDir dir_;
  JpegDecoder decoder_;
};

TEST_F(HostileInput, EmptyFile) {
  EXPECT_EQ(decode_file("empty.JPEG", {}).outcome, DecodeOutcome::Empty);
}

TEST_F(HostileInput, MissingFileAndDirectory) {
  EXPECT_EQ(decoder_.decode_file((dir_.path() / "missing.JPEG").string(), {}).outcome, DecodeOutcome::Unreadable);
  std::filesystem::create_directory(dir_.path() / "folder.JPEG");
  EXPECT_EQ(decoder_.decode_file((dir_.path() / "folder.JPEG").string(), {}).outcome, DecodeOutcome::NotAFile);
}

TEST_F(HostileInput, RandomBytesAreNotJpeg) {
  std::mt19937 generator(3);
  std::vector<std::uint8_t> bytes(5000);
  for (auto& byte : bytes) byte = static_cast<std::uint8_t>(generator());
  bytes[0] = 0x12;
  EXPECT_EQ(decode_file("random.JPEG", bytes).outcome, DecodeOutcome::NotJpeg);
}

TEST_F(HostileInput, RandomBytesAfterJpegSignatureAreSkipped) {
  std::mt19937 generator(4);
  for (int trial = 0; trial < 50; ++trial) {
    std::vector<std::uint8_t> bytes(2000);
    for (auto& byte : bytes) byte = static_cast<std::uint8_t>(generator());
    bytes[0] = 0xFF;
    bytes[1] = 0xD8;
    const DecodeOutcome outcome = decoder_.decode(bytes.data(), bytes.size(), {}).outcome;
    EXPECT_TRUE(outcome == DecodeOutcome::Corrupt || outcome == DecodeOutcome::Truncated)
        << decode_outcome_name(outcome);
  }
}

TEST_F(HostileInput, TruncatedJpegs) {
  const auto bytes = testing::natural_like_jpeg(256, 256, 9);
  const std::size_t start = entropy_start(bytes);
  ASSERT_GT(start, 100u);
  auto cut = [&](std::size_t length) { return std::vector<std::uint8_t>(bytes.begin(), bytes.begin() + length); };
  EXPECT_EQ(decode_file("one_byte.JPEG", cut(1)).outcome, DecodeOutcome::Truncated);
  EXPECT_EQ(decode_file("soi_only.JPEG", cut(2)).outcome, DecodeOutcome::Truncated);
  EXPECT_EQ(decode_file("half_header.JPEG", cut(start / 2)).outcome, DecodeOutcome::Truncated);
  // Header complete, no entropy data: nothing usable.
  EXPECT_EQ(decode_file("no_data.JPEG", cut(start)).outcome, DecodeOutcome::Truncated);
  // Most of the data present: delivered, flagged, the missing bottom rows grey.
  const DecodeResult most = decode_file("most.JPEG", cut(start + (bytes.size() - start) * 3 / 4));
  EXPECT_EQ(most.outcome, DecodeOutcome::OkWithWarnings);
  EXPECT_TRUE(most.premature_end);
  EXPECT_GE(most.warning_count, 1);
  EXPECT_EQ(most.width, 256);
  // The same file asked for a region below the data's end: nothing of it is usable.
  DecodeRequest bottom;
  bottom.region = {0, 240, 256, 16};
  EXPECT_EQ(decode_file("most_bottom.JPEG", cut(start + (bytes.size() - start) * 3 / 4), bottom).outcome,
            DecodeOutcome::Truncated);
  // A file missing only its EOI marker decodes with a warning.
  const DecodeResult no_eoi = decode_file("no_eoi.JPEG", cut(bytes.size() - 2));
  EXPECT_EQ(no_eoi.outcome, DecodeOutcome::OkWithWarnings);
}

TEST_F(HostileInput, TruncatedProgressiveJpeg) {
  EncodeOptions options;
  options.progressive = true;
  const auto bytes = testing::natural_like_jpeg(256, 256, 10, options);
  const std::vector<std::uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() * 2 / 3));
  const DecodeResult result = decode_file("progressive_cut.JPEG", cut);
  EXPECT_EQ(result.outcome, DecodeOutcome::OkWithWarnings);  // the early scans give a usable image
  EXPECT_TRUE(result.premature_end);
}

// A progressive file with more scans than the cap is refused before its scans are all absorbed.
TEST_F(HostileInput, TooManyProgressiveScansIsCorrupt) {
  EncodeOptions options;
  options.progressive = true;  // jpeg_simple_progression: 10 scans for colour
  const auto bytes = testing::natural_like_jpeg(64, 64, 11, options);
  JpegDecoderOptions limited;
  limited.max_progressive_scans = 3;
  JpegDecoder decoder(limited);
  const DecodeResult result = decoder.decode(bytes.data(), bytes.size(), {});
  EXPECT_EQ(result.outcome, DecodeOutcome::Corrupt);
  EXPECT_NE(result.detail.find("more than 3 progressive scans"), std::string::npos) << result.detail;
  EXPECT_EQ(decoder_.decode(bytes.data(), bytes.size(), {}).outcome, DecodeOutcome::Ok);  // default cap: 500
}

TEST_F(HostileInput, PngNamedJpegIsDecodedAsRgb) {
  cv::Mat bgr(40, 60, CV_8UC3, cv::Scalar(10, 20, 200));  // OpenCV order: mostly red
  std::vector<std::uint8_t> png;
  ASSERT_TRUE(cv::imencode(".png", bgr, png));
  DecodeRequest request;
  request.region = {10, 5, 20, 30};
  const DecodeResult result = decode_file("actually_png.JPEG", png, request);
  ASSERT_EQ(result.outcome, DecodeOutcome::PngDecoded);
  EXPECT_EQ(result.width, 20);
  EXPECT_EQ(result.height, 30);
  EXPECT_EQ(result.pixels[0], 200);
  EXPECT_EQ(result.pixels[1], 20);
  EXPECT_EQ(result.pixels[2], 10);
  // A PNG cut short is skipped, not delivered.
  const std::vector<std::uint8_t> cut(png.begin(), png.begin() + 40);
  EXPECT_FALSE(decode_outcome_has_pixels(decode_file("cut_png.JPEG", cut).outcome));
}

TEST_F(HostileInput, CorruptEntropyDataIsDeliveredWithWarnings) {
  auto bytes = testing::natural_like_jpeg(256, 256, 12);
  const std::size_t start = entropy_start(bytes);
  std::mt19937 generator(6);
  for (std::size_t index = start + 200; index < start + 400; ++index) {
    bytes[index] = static_cast<std::uint8_t>(generator());
    if (bytes[index] == 0xFF) bytes[index] = 0x00;  // no accidental markers: this tests entropy corruption
  }
  const DecodeResult result = decode_file("corrupt_entropy.JPEG", bytes);
  EXPECT_EQ(result.outcome, DecodeOutcome::OkWithWarnings);
  EXPECT_GE(result.warning_count, 1);
  EXPECT_FALSE(result.detail.empty());
}

TEST_F(HostileInput, CorruptHeaderIsCorrupt) {
  auto bytes = testing::natural_like_jpeg(64, 64, 13);
  for (std::size_t index = 2; index + 9 < bytes.size(); ++index)
    if (bytes[index] == 0xFF && bytes[index + 1] == 0xC0) bytes[index + 9] = 0;  // zero components
  const DecodeResult result = decode_file("corrupt_header.JPEG", bytes);
  EXPECT_EQ(result.outcome, DecodeOutcome::Corrupt);
  EXPECT_FALSE(result.detail.empty());
}

TEST_F(HostileInput, HugeHeaderIsRefusedBeforeDecoding) {
  const auto original = testing::natural_like_jpeg(64, 64, 14);
  auto bytes = original;
  set_frame_size(bytes, 65000, 65000);
  const std::string path = dir_.write("huge.JPEG", bytes);
  JpegDecoder fresh;  // holds no buffer from an earlier decode
  DecodeResult result;
  const std::size_t refused_bytes = bytes_allocated_by([&] { result = fresh.decode_file(path, {}); });
  EXPECT_EQ(result.outcome, DecodeOutcome::TooManyPixels);
  EXPECT_EQ(result.source_width, 65000);
  EXPECT_EQ(result.pixels, nullptr);
  // Refused from the header alone: the file's bytes and the message were allocated, but no pixel buffer
  // (12.7 GB here) and not even one of its rows (65 000 x 3 bytes) nor the row pointers (65 000 x 8).
  EXPECT_LT(refused_bytes, std::size_t{65000} * 3) << refused_bytes << " bytes allocated for a refused file";
  // The count does see a decode's pixel buffer: the same decoder on the 64 x 64 original asks for its rows.
  const std::size_t decoded_bytes =
      bytes_allocated_by([&] { result = fresh.decode(original.data(), original.size(), {}); });
  ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
  EXPECT_GE(decoded_bytes, std::size_t{64} * 64 * 3);
  // The cap is configurable and exact: 100 pixels allowed, 11 × 10 refused, 10 × 10 decoded.
  JpegDecoderOptions options;
  options.max_pixels = 100;
  JpegDecoder small_cap(options);
  const auto eleven = testing::natural_like_jpeg(11, 10, 15), ten = testing::natural_like_jpeg(10, 10, 15);
  EXPECT_EQ(small_cap.decode(eleven.data(), eleven.size(), {}).outcome, DecodeOutcome::TooManyPixels);
  EXPECT_EQ(small_cap.decode(ten.data(), ten.size(), {}).outcome, DecodeOutcome::Ok);
}

TEST_F(HostileInput, OnePixelAndExtremeAspectImages) {
  const auto one = testing::natural_like_jpeg(1, 1, 16);
  DecodeRequest request;
  request.min_output_width = request.min_output_height = 224;
  const DecodeResult single = decode_file("one_pixel.JPEG", one, request);
  ASSERT_EQ(single.outcome, DecodeOutcome::Ok);
  EXPECT_EQ(single.width, 1);
  EXPECT_EQ(single.height, 1);
  for (const auto& [width, height] : {std::pair{2, 3000}, std::pair{3000, 2}}) {
    const auto bytes = testing::natural_like_jpeg(width, height, 17);
    // The middle third along the long side.
    request.region = width > height ? PixelRect{1000, 0, 1000, height} : PixelRect{0, 1000, width, 1000};
    const DecodeResult result = decode_file("thin.JPEG", bytes, request);
    ASSERT_EQ(result.outcome, DecodeOutcome::Ok) << result.detail;
    EXPECT_EQ(result.scale_eighths, 8);  // a 2-pixel side never covers 224
    EXPECT_EQ(result.width, request.region.width);
    EXPECT_EQ(result.height, request.region.height);
  }
}

TEST_F(HostileInput, GrayscaleIsDeliveredAsRgb) {
  std::vector<std::uint8_t> grey(64 * 48);
  for (std::size_t index = 0; index < grey.size(); ++index) grey[index] = static_cast<std::uint8_t>(index % 64 * 4);
  EncodeOptions options;
  options.color = JpegColor::Grayscale;
  options.quality = 100;
  const DecodeResult result = decode_file("grey.JPEG", testing::encode_jpeg(grey.data(), 64, 48, options));
  ASSERT_EQ(result.outcome, DecodeOutcome::Ok);
  int worst = 0;
  for (int y = 0; y < 48; ++y)
    for (int x = 0; x < 64; ++x) {
      const std::uint8_t* pixel = result.pixels + y * result.row_stride + x * 3;
      EXPECT_EQ(pixel[0], pixel[1]);
      EXPECT_EQ(pixel[1], pixel[2]);
      worst = std::max(worst, std::abs(pixel[0] - grey[y * 64 + x]));
    }
  EXPECT_LE(worst, 8);  // quality 100 still quantizes; the ramp's step edges ring by a few levels
}

// Adobe CMYK as Photoshop writes it (inverted: 255 = no ink). Quadrants: red, green, blue, white.
std::vector<std::uint8_t> adobe_cmyk_quadrants(int size) {
  std::vector<std::uint8_t> cmyk(std::size_t(size) * size * 4);
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      const int quadrant = (y >= size / 2) * 2 + (x >= size / 2);
      // Ink amounts (0 = none) for red, green, blue, white, then inverted.
      static const int ink[4][4] = {{0, 255, 255, 0}, {255, 0, 255, 0}, {255, 255, 0, 0}, {0, 0, 0, 0}};
      for (int channel = 0; channel < 4; ++channel)
        cmyk[(std::size_t(y) * size + x) * 4 + channel] = static_cast<std::uint8_t>(255 - ink[quadrant][channel]);
    }
  return cmyk;
}

TEST_F(HostileInput, CmykAndYcckAreDeliveredAsRgb) {
  const auto cmyk = adobe_cmyk_quadrants(64);
  for (const JpegColor color : {JpegColor::Cmyk, JpegColor::Ycck}) {
    EncodeOptions options;
    options.color = color;
    options.quality = 95;
    options.horizontal_sampling = options.vertical_sampling = 1;
    const auto bytes = testing::encode_jpeg(cmyk.data(), 64, 64, options);
    DecodeRequest request;
    request.region = {8, 8, 48, 48};  // a region, so the in-place CMYK → RGB conversion runs on a crop
    const DecodeResult result = decode_file("cmyk.JPEG", bytes, request);
    ASSERT_EQ(result.outcome, DecodeOutcome::Ok) << result.detail;
    auto pixel = [&](int x, int y) { return result.pixels + y * result.row_stride + x * 3; };
    const std::uint8_t* expected[4] = {nullptr, nullptr, nullptr, nullptr};
    static const std::uint8_t colours[4][3] = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {255, 255, 255}};
    const int probes[4][2] = {{8, 8}, {40, 8}, {8, 40}, {40, 40}};
    for (int quadrant = 0; quadrant < 4; ++quadrant) {
      expected[quadrant] = colours[quadrant];
      const std::uint8_t* actual = pixel(probes[quadrant][0], probes[quadrant][1]);
      for (int channel = 0; channel < 3; ++channel)  // JPEG at quality 95 on flat areas: a few levels
        EXPECT_NEAR(actual[channel], expected[quadrant][channel], 6)
            << (color == JpegColor::Cmyk ? "cmyk" : "ycck") << " quadrant " << quadrant << " channel " << channel;
    }
  }
}

}  // namespace
}  // namespace genint::io
