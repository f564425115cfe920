// Test helpers for the decode path: a libjpeg encoder with full control (colour space, subsampling,
// progressive), deterministic natural-looking images, a self-cleaning temp dir, and the shared corpus.
#pragma once

#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "support/temporary_directory.h"

namespace genint::io::testing {

enum class JpegColor { Rgb, Grayscale, Cmyk, Ycck };

struct EncodeOptions {
  JpegColor color = JpegColor::Rgb;
  int quality = 90;
  int horizontal_sampling = 2;  // luma sampling factors: 2,2 = 4:2:0; 1,1 = 4:4:4
  int vertical_sampling = 2;
  bool progressive = false;
};

// Encodes width × height pixels (3 bytes RGB, 1 byte grey or 4 bytes CMYK each) with libjpeg.
inline std::vector<std::uint8_t> encode_jpeg(const std::uint8_t* pixels, int width, int height,
                                             const EncodeOptions& options = {}) {
  jpeg_compress_struct info{};
  jpeg_error_mgr error{};
  info.err = jpeg_std_error(&error);
  jpeg_CreateCompress(&info, JPEG_LIB_VERSION, sizeof(info));
  unsigned char* encoded = nullptr;
  unsigned long encoded_size = 0;
  jpeg_mem_dest(&info, &encoded, &encoded_size);
  info.image_width = static_cast<JDIMENSION>(width);
  info.image_height = static_cast<JDIMENSION>(height);
  const bool grey = options.color == JpegColor::Grayscale;
  const bool cmyk = options.color == JpegColor::Cmyk || options.color == JpegColor::Ycck;
  info.input_components = grey ? 1 : cmyk ? 4 : 3;
  info.in_color_space = grey ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(&info);
  if (options.color == JpegColor::Ycck) jpeg_set_colorspace(&info, JCS_YCCK);
  jpeg_set_quality(&info, options.quality, TRUE);
  info.comp_info[0].h_samp_factor = grey ? 1 : options.horizontal_sampling;
  info.comp_info[0].v_samp_factor = grey ? 1 : options.vertical_sampling;
  if (options.progressive) jpeg_simple_progression(&info);
  jpeg_start_compress(&info, TRUE);
  const std::size_t row_bytes = std::size_t(width) * static_cast<std::size_t>(info.input_components);
  while (info.next_scanline < info.image_height) {
    JSAMPROW row = const_cast<std::uint8_t*>(pixels) + info.next_scanline * row_bytes;
    jpeg_write_scanlines(&info, &row, 1);
  }
  jpeg_finish_compress(&info);
  std::vector<std::uint8_t> result(encoded, encoded + encoded_size);
  jpeg_destroy_compress(&info);
  std::free(encoded);
  return result;
}

// Smooth gradients, a few hard edges and mild noise: the statistics that matter for DCT scaling and
// resizing (natural photographs are mostly low-frequency with edges).
inline std::vector<std::uint8_t> natural_like_rgb(int width, int height, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const double phase = unit(generator) * 6.28, edge_x = width * (0.3 + 0.4 * unit(generator));
  std::vector<std::uint8_t> pixels(std::size_t(width) * height * 3);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int channel = 0; channel < 3; ++channel) {
        double value = 128 + 80 * std::sin(x * 0.02 + y * 0.013 * (channel + 1) + phase);
        if (x > edge_x) value = 255 - value * 0.7;
        value += (unit(generator) - 0.5) * 12;
        pixels[(std::size_t(y) * width + x) * 3 + channel] = static_cast<std::uint8_t>(std::clamp(value, 0.0, 255.0));
      }
  return pixels;
}

inline std::vector<std::uint8_t> natural_like_jpeg(int width, int height, std::uint32_t seed,
                                                   const EncodeOptions& options = {}) {
  const std::vector<std::uint8_t> pixels = natural_like_rgb(width, height, seed);
  return encode_jpeg(pixels.data(), width, height, options);
}

// The shared temporary directory, plus writing a file of bytes into it (the hostile tests do that a lot).
class TempDir : public ::genint::testing::TemporaryDirectory {
 public:
  TempDir() : TemporaryDirectory("io-test") {}
  std::string write(const std::string& name, const std::vector<std::uint8_t>& bytes) const {
    const std::filesystem::path file = path() / name;
    std::ofstream stream(file, std::ios::binary);
    stream.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    return file.string();
  }
};

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream stream(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(stream), std::istreambuf_iterator<char>()};
}

// The shared benchmark corpus, sorted by name; empty when ../shared is not there.
inline std::vector<std::string> corpus_files() {
  const std::filesystem::path folder = std::filesystem::path(GENINT_SHARED_DIR) / "bench" / "jpeg-corpus";
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(folder, error)) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace genint::io::testing
