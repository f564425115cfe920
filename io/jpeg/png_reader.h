// PNG files named .JPEG (ImageNet has some): decoded whole to 8-bit RGB with libpng, the transforms OpenCV's
// imdecode(IMREAD_COLOR) applies, so the library needs no OpenCV image codecs (and none of their dependencies).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace genint::io {

// Whether the bytes start with PNG's 8-byte signature.
bool has_png_signature(const std::uint8_t* data, std::size_t size);

struct PngImage {
  int width = 0;
  int height = 0;
};

// Decodes a whole PNG into `pixels` (width·height·3 bytes, rows of RGB; resized as needed, reused across calls).
// As OpenCV's IMREAD_COLOR: 16-bit samples keep their high byte, an alpha channel is dropped (not composited),
// palette and grey become RGB, no gamma correction. Returns false, with `detail` saying why, for data libpng
// cannot decode (cut short, bad CRC in a critical chunk, larger than 2^30 pixels or 2^20 on a side).
bool read_png_rgb(const std::uint8_t* data, std::size_t size, std::vector<std::uint8_t>& pixels, PngImage& image,
                  std::string& detail);

}  // namespace genint::io
