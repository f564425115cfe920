// libpng's sequential reader over a memory buffer, with OpenCV's IMREAD_COLOR transforms. libpng reports errors by
// longjmp: the one function that calls setjmp holds no object with a destructor, and cleanup is RAII in its caller.
#include "io/jpeg/png_reader.h"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

namespace genint::io {
namespace {

// OpenCV's own limits (CV_IO_MAX_IMAGE_WIDTH/HEIGHT/PIXELS): a hostile header cannot ask for gigabytes.
constexpr png_uint_32 kMaxSide = png_uint_32{1} << 20;
constexpr std::uint64_t kMaxPixels = std::uint64_t{1} << 30;

// What the callbacks share with the reader: the input and the first error's text.
struct PngInput {
  const std::uint8_t* data;
  std::size_t size;
  std::size_t offset;
  char message[256];
};

void read_bytes(png_structp png, png_bytep destination, png_size_t count) {
  auto* input = static_cast<PngInput*>(png_get_io_ptr(png));
  if (count > input->size - input->offset) png_error(png, "the PNG data ends early");
  std::memcpy(destination, input->data + input->offset, count);
  input->offset += count;
}

void on_error(png_structp png, png_const_charp message) {
  auto* input = static_cast<PngInput*>(png_get_error_ptr(png));
  std::snprintf(input->message, sizeof input->message, "%s", message);
  png_longjmp(png, 1);
}

// Warnings (a bad CRC in an ancillary chunk, an unknown chunk) do not stop a decode, in libpng or in OpenCV.
void on_warning(png_structp, png_const_charp) {}

// The transforms OpenCV's PNG decoder (grfmt_png.cpp) sets for an 8-bit, 3-channel result, in RGB order.
void request_rgb8(png_structp png, png_infop info) {
  const int bit_depth = png_get_bit_depth(png, info);
  const int color_type = png_get_color_type(png, info);
  if (bit_depth == 16) png_set_strip_16(png);
  png_set_strip_alpha(png);
  if (color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((color_type & PNG_COLOR_MASK_COLOR) == 0) {
    if (bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
    png_set_gray_to_rgb(png);
  }
}

// Returns false after a libpng error (its text in the input's message). No object with a destructor lives in this
// frame; `pixels` belongs to the caller (resizing it may throw std::bad_alloc, which the caller's cleanup handles).
bool read_guarded(png_structp png, png_infop info, std::vector<std::uint8_t>* pixels, PngImage* image) {
  if (setjmp(png_jmpbuf(png)) != 0) return false;
  png_read_info(png, info);
  const png_uint_32 width = png_get_image_width(png, info), height = png_get_image_height(png, info);
  if (width > kMaxSide || height > kMaxSide || std::uint64_t{width} * height > kMaxPixels)
    png_error(png, "the image is larger than 2^30 pixels or 2^20 on a side");
  request_rgb8(png, info);
  const int passes = png_set_interlace_handling(png);
  png_read_update_info(png, info);
  const std::size_t stride = std::size_t{width} * 3;
  if (png_get_rowbytes(png, info) != stride) png_error(png, "rows are not 8-bit RGB after the transforms");
  pixels->resize(stride * height);
  // Interlaced images: every pass rewrites the rows it has pixels for, in place.
  for (int pass = 0; pass < passes; ++pass)
    for (png_uint_32 row = 0; row < height; ++row) png_read_row(png, pixels->data() + stride * row, nullptr);
  png_read_end(png, nullptr);
  image->width = static_cast<int>(width);
  image->height = static_cast<int>(height);
  return true;
}

// Frees libpng's read structures however the read ends.
class ReadStructs {
 public:
  explicit ReadStructs(PngInput& input)
      : png_(png_create_read_struct(PNG_LIBPNG_VER_STRING, &input, on_error, on_warning)),
        info_(png_ != nullptr ? png_create_info_struct(png_) : nullptr) {}
  ~ReadStructs() { png_destroy_read_struct(&png_, &info_, nullptr); }
  ReadStructs(const ReadStructs&) = delete;
  ReadStructs& operator=(const ReadStructs&) = delete;
  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_;
  png_infop info_;
};

}  // namespace

bool has_png_signature(const std::uint8_t* data, std::size_t size) {
  static const std::uint8_t signature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  return size >= 8 && std::memcmp(data, signature, 8) == 0;
}

bool read_png_rgb(const std::uint8_t* data, std::size_t size, std::vector<std::uint8_t>& pixels, PngImage& image,
                  std::string& detail) {
  PngInput input{data, size, 0, {}};
  const ReadStructs structs(input);
  if (structs.info() == nullptr) {
    detail = "libpng could not allocate its read structures";
    return false;
  }
  png_set_read_fn(structs.png(), &input, read_bytes);
  image = PngImage{};
  if (read_guarded(structs.png(), structs.info(), &pixels, &image)) return true;
  detail = std::string("libpng: ") + input.message;
  return false;
}

}  // namespace genint::io
