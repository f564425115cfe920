// JpegDecoder: libjpeg-turbo's libjpeg API with DCT scaling, jpeg_crop_scanline / jpeg_skip_scanlines
// region decoding, a longjmp error manager that counts warnings, and libpng for PNGs named .JPEG (png_reader).
#include "io/jpeg/jpeg_decoder.h"

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>

// jpeglib.h needs size_t and FILE declared before it.
#include <jerror.h>
#include <jpeglib.h>

#include "io/jpeg/png_reader.h"
#include "nn/core/error.h"

namespace genint::io {
namespace {

// libjpeg reports fatal errors through error_exit, which must not return: we longjmp back to the
// guarded call. Everything it records lives here, outside any C++ frame that setjmp spans.
struct ErrorManager {
  jpeg_error_mgr base;  // first member: libjpeg hands us a pointer to it
  std::jmp_buf jump;
  int warning_count;
  bool hit_end_of_data;
  unsigned end_of_data_imcu_row;  // iMCU rows fully read when the data ran out
  int end_of_data_scan;           // scan being read when the data ran out
  bool scan_limit_exceeded;
  int max_progressive_scans;
  char first_warning[JMSG_LENGTH_MAX];
  char fatal_message[JMSG_LENGTH_MAX];
};

ErrorManager& error_manager_of(j_common_ptr common) {
  return *reinterpret_cast<ErrorManager*>(common->err);
}

void reset_error_manager(ErrorManager& manager) {
  manager.warning_count = 0;
  manager.hit_end_of_data = false;
  manager.end_of_data_imcu_row = 0;
  manager.end_of_data_scan = 0;
  manager.scan_limit_exceeded = false;
  manager.first_warning[0] = '\0';
  manager.fatal_message[0] = '\0';
  manager.base.num_warnings = 0;
}

[[noreturn]] void on_fatal_error(j_common_ptr common) {
  ErrorManager& manager = error_manager_of(common);
  (*common->err->format_message)(common, manager.fatal_message);
  std::longjmp(manager.jump, 1);
}

// Level -1 is a warning (corrupt data, premature end): counted, the decode goes on. Higher levels are
// trace messages, ignored. Nothing is printed: one bad file in a million must not flood the log.
void on_message(j_common_ptr common, int level) {
  if (level != -1) return;
  ErrorManager& manager = error_manager_of(common);
  if (manager.warning_count == 0) (*common->err->format_message)(common, manager.first_warning);
  ++manager.warning_count;
  if (common->err->msg_code == JWRN_JPEG_EOF && !manager.hit_end_of_data && common->is_decompressor) {
    const auto* decompress = reinterpret_cast<j_decompress_ptr>(common);
    manager.hit_end_of_data = true;
    manager.end_of_data_imcu_row = decompress->input_iMCU_row;
    manager.end_of_data_scan = decompress->input_scan_number;
  }
}

// Called between scans while a progressive file is absorbed: a file with thousands of scans is refused.
void on_progress(j_common_ptr common) {
  if (!common->is_decompressor) return;
  const auto* decompress = reinterpret_cast<j_decompress_ptr>(common);
  ErrorManager& manager = error_manager_of(common);
  if (decompress->input_scan_number > manager.max_progressive_scans) {
    manager.scan_limit_exceeded = true;
    std::snprintf(manager.fatal_message, sizeof(manager.fatal_message), "more than %d progressive scans",
                  manager.max_progressive_scans);
    std::longjmp(manager.jump, 1);
  }
}

std::uint32_t read_big_endian_32(const std::uint8_t* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

// Clamps a requested region to the image; an empty request means the whole image.
PixelRect clamp_region(const PixelRect& requested, int width, int height) {
  if (requested.width <= 0 || requested.height <= 0) return {0, 0, width, height};
  const int x0 = std::clamp(requested.x, 0, width - 1), y0 = std::clamp(requested.y, 0, height - 1);
  const int x1 = std::clamp(requested.x + requested.width, x0 + 1, width);
  const int y1 = std::clamp(requested.y + requested.height, y0 + 1, height);
  return {x0, y0, x1 - x0, y1 - y0};
}

// Maps [start, start + length) to the scaled image, rounding both ends to the nearest pixel, and keeps
// at least one pixel inside [0, scaled_limit).
void scale_span(int start, int length, int scale_eighths, int scaled_limit, int& scaled_start, int& scaled_length) {
  const int begin = static_cast<int>(std::nearbyint(start * scale_eighths / 8.0));
  const int end = static_cast<int>(std::nearbyint((start + length) * scale_eighths / 8.0));
  scaled_start = std::clamp(begin, 0, scaled_limit - 1);
  scaled_length = std::clamp(end, scaled_start + 1, scaled_limit) - scaled_start;
}

int scaled_dimension(int dimension, int scale_eighths) {
  return (dimension * scale_eighths + 7) / 8;
}

// Adobe-inverted CMYK (as libjpeg delivers Adobe files: 255 = no ink) → RGB, in place, left to right:
// each pixel's 3 output bytes never overtake its 4 input bytes.
void cmyk_row_to_rgb(std::uint8_t* row, int width) {
  for (int pixel = 0; pixel < width; ++pixel) {
    const int cyan = row[pixel * 4], magenta = row[pixel * 4 + 1], yellow = row[pixel * 4 + 2];
    const int key = row[pixel * 4 + 3];
    row[pixel * 3] = static_cast<std::uint8_t>((cyan * key + 127) / 255);
    row[pixel * 3 + 1] = static_cast<std::uint8_t>((magenta * key + 127) / 255);
    row[pixel * 3 + 2] = static_cast<std::uint8_t>((yellow * key + 127) / 255);
  }
}

// What decode_rows_guarded does to one image, fixed before the guarded call.
struct RowPlan {
  int scale_eighths;
  bool cmyk;
  bool fast_dct;
  int expected_width;
  int expected_height;
  int first_column;
  int column_count;
  int first_row;
  int row_count;
  JSAMPROW* rows;  // row_count row pointers into the pixel buffer
};

}  // namespace

struct JpegDecoder::LibjpegState {
  jpeg_decompress_struct info;
  ErrorManager error;
  jpeg_progress_mgr progress;
  std::vector<JSAMPROW> rows;
  std::vector<std::uint8_t> png_pixels;  // a whole decoded PNG, RGB
};

namespace {

// The two functions that call setjmp hold no objects with destructors, and every value they set that
// outlives a longjmp lives in the state they are given.
int read_header_guarded(jpeg_decompress_struct& info, ErrorManager& error, const std::uint8_t* data, std::size_t size) {
  if (setjmp(error.jump) != 0) return 1;
  jpeg_mem_src(&info, data, static_cast<unsigned long>(size));
  jpeg_read_header(&info, TRUE);
  return 0;
}

// Returns 0 on success, 1 after a libjpeg fatal error, 2 when libjpeg's geometry differs from the plan.
int decode_rows_guarded(jpeg_decompress_struct& info, ErrorManager& error, const RowPlan& plan,
                        JDIMENSION& decoded_first_column) {
  if (setjmp(error.jump) != 0) return 1;
  info.scale_num = static_cast<unsigned>(plan.scale_eighths);
  info.scale_denom = 8;
  info.out_color_space = plan.cmyk ? JCS_CMYK : JCS_RGB;
  info.dct_method = plan.fast_dct ? JDCT_IFAST : JDCT_ISLOW;
  jpeg_start_decompress(&info);
  if (static_cast<int>(info.output_width) != plan.expected_width ||
      static_cast<int>(info.output_height) != plan.expected_height)
    return 2;
  JDIMENSION first_column = 0;
  JDIMENSION column_count = static_cast<JDIMENSION>(plan.column_count);
  if (column_count < info.output_width) {  // moves first_column left to an iMCU boundary
    first_column = static_cast<JDIMENSION>(plan.first_column);
    jpeg_crop_scanline(&info, &first_column, &column_count);
  }
  decoded_first_column = first_column;
  if (plan.first_row > 0) jpeg_skip_scanlines(&info, static_cast<JDIMENSION>(plan.first_row));
  JDIMENSION done = 0;
  const JDIMENSION wanted = static_cast<JDIMENSION>(plan.row_count);
  while (done < wanted) {
    const JDIMENSION read = jpeg_read_scanlines(&info, plan.rows + done, wanted - done);
    if (read == 0) return 2;  // only a suspending source returns 0; ours never does
    done += read;
  }
  return 0;
}

}  // namespace

const char* decode_outcome_name(DecodeOutcome outcome) {
  static const char* const names[] = {"ok",       "ok_with_warnings", "png_decoded",     "empty",      "truncated",
                                      "not_jpeg", "corrupt",          "too_many_pixels", "unreadable", "not_a_file"};
  static_assert(std::size(names) == static_cast<std::size_t>(DecodeOutcome::NotAFile) + 1, "one name an outcome");
  const auto index = static_cast<std::size_t>(outcome);
  return index < std::size(names) ? names[index] : "unknown";
}

bool decode_outcome_has_pixels(DecodeOutcome outcome) {
  return outcome == DecodeOutcome::Ok || outcome == DecodeOutcome::OkWithWarnings ||
         outcome == DecodeOutcome::PngDecoded;
}

DecodeOutcome decode_outcome_of_file_read(FileReadOutcome outcome) {
  switch (outcome) {
    case FileReadOutcome::Ok: break;
    case FileReadOutcome::Empty: return DecodeOutcome::Empty;
    case FileReadOutcome::NotARegularFile: return DecodeOutcome::NotAFile;
    case FileReadOutcome::Missing:
    case FileReadOutcome::Unreadable:
    case FileReadOutcome::TooLarge: return DecodeOutcome::Unreadable;
  }
  GENINT_CHECK(false, "decode_outcome_of_file_read: the read succeeded, there is no skip");
  return DecodeOutcome::Unreadable;
}

int smallest_covering_scale_eighths(int region_width, int region_height, int output_width, int output_height,
                                    bool every_eighth) {
  if (output_width <= 0 && output_height <= 0) return 8;  // no output size given: full resolution
  for (int eighths = 1; eighths < 8; eighths = every_eighth ? eighths + 1 : eighths * 2) {
    const bool covers_width = std::int64_t{region_width} * eighths >= std::int64_t{output_width} * 8;
    const bool covers_height = std::int64_t{region_height} * eighths >= std::int64_t{output_height} * 8;
    if (covers_width && covers_height) return eighths;
  }
  return 8;
}

JpegDecoder::JpegDecoder(JpegDecoderOptions options) : options_(options), state_(std::make_unique<LibjpegState>()) {
  GENINT_CHECK(options_.max_pixels > 0, "JpegDecoderOptions::max_pixels must be positive");
  GENINT_CHECK(options_.max_progressive_scans > 0, "JpegDecoderOptions::max_progressive_scans must be positive");
  LibjpegState& state = *state_;
  state.info.err = jpeg_std_error(&state.error.base);
  state.error.base.error_exit = on_fatal_error;
  state.error.base.emit_message = on_message;
  state.error.max_progressive_scans = options_.max_progressive_scans;
  reset_error_manager(state.error);
  // jpeg_create_decompress is a macro with a C cast; the function it names is called directly.
  jpeg_CreateDecompress(&state.info, JPEG_LIB_VERSION, sizeof(jpeg_decompress_struct));
  state.progress.progress_monitor = on_progress;
  state.info.progress = &state.progress;
}

JpegDecoder::~JpegDecoder() {
  jpeg_destroy_decompress(&state_->info);
}

// Classifies the bytes and reads the header. A JPEG header that was read leaves libjpeg mid-decode:
// the caller finishes with jpeg_abort_decompress (harmless when nothing is open).
ImageHeader JpegDecoder::inspect(const std::uint8_t* data, std::size_t size) {
  ImageHeader header;
  if (size == 0) {
    header.outcome = DecodeOutcome::Empty;
    header.detail = "zero bytes";
    return header;
  }
  if (has_png_signature(data, size)) {
    header.is_png = true;
    if (size < 24 || std::memcmp(data + 12, "IHDR", 4) != 0) {
      header.outcome = size < 24 ? DecodeOutcome::Truncated : DecodeOutcome::Corrupt;
      header.detail = "PNG without an IHDR chunk";
      return header;
    }
    const std::uint32_t width = read_big_endian_32(data + 16), height = read_big_endian_32(data + 20);
    header.width = static_cast<int>(std::min<std::uint32_t>(width, 0x7fffffff));
    header.height = static_cast<int>(std::min<std::uint32_t>(height, 0x7fffffff));
    header.components = 3;
    header.outcome = DecodeOutcome::PngDecoded;
  } else if (size < 2 || data[0] != 0xFF || data[1] != 0xD8) {
    const bool jpeg_prefix = size == 1 && data[0] == 0xFF;
    header.outcome = jpeg_prefix ? DecodeOutcome::Truncated : DecodeOutcome::NotJpeg;
    header.detail = jpeg_prefix ? "one byte of a JPEG marker" : "no JPEG or PNG signature";
    return header;
  } else {
    LibjpegState& state = *state_;
    reset_error_manager(state.error);
    if (read_header_guarded(state.info, state.error, data, size) != 0) {
      header.outcome = state.error.hit_end_of_data ? DecodeOutcome::Truncated : DecodeOutcome::Corrupt;
      header.detail = state.error.fatal_message;
      return header;
    }
    header.width = static_cast<int>(state.info.image_width);
    header.height = static_cast<int>(state.info.image_height);
    header.components = state.info.num_components;
    header.outcome = state.error.warning_count > 0 ? DecodeOutcome::OkWithWarnings : DecodeOutcome::Ok;
    header.detail = state.error.first_warning;
  }
  const std::uint64_t pixels = std::uint64_t(header.width) * std::uint64_t(header.height);
  if (pixels == 0) {
    header.outcome = DecodeOutcome::Corrupt;
    header.detail = "header gives a zero dimension";
  } else if (pixels > options_.max_pixels) {
    header.outcome = DecodeOutcome::TooManyPixels;
    header.detail = std::to_string(header.width) + "x" + std::to_string(header.height) + " exceeds the cap of " +
                    std::to_string(options_.max_pixels) + " pixels";
  }
  return header;
}

ImageHeader JpegDecoder::read_header(const std::uint8_t* data, std::size_t size) {
  const ImageHeader header = inspect(data, size);
  jpeg_abort_decompress(&state_->info);
  return header;
}

DecodeResult JpegDecoder::decode(const std::uint8_t* data, std::size_t size, const DecodeRequest& request) {
  const ImageHeader header = inspect(data, size);
  DecodeResult result;  // decode_jpeg_region replaces the header's outcome and detail with the decode's
  result.outcome = header.outcome;
  result.detail = header.detail;
  result.source_width = header.width;
  result.source_height = header.height;
  if (!decode_outcome_has_pixels(header.outcome) || header.is_png) {
    jpeg_abort_decompress(&state_->info);
    return header.is_png && decode_outcome_has_pixels(header.outcome) ? decode_png(data, size, request) : result;
  }
  result.region = clamp_region(request.region, header.width, header.height);
  result.scale_eighths =
      smallest_covering_scale_eighths(result.region.width, result.region.height, request.min_output_width,
                                      request.min_output_height, options_.every_eighth_scale);
  decode_jpeg_region(result);
  jpeg_abort_decompress(&state_->info);  // stops reading: rows below the region are never decoded
  return result;
}

// Decodes result.region at result.scale_eighths from the open libjpeg header and classifies the outcome.
void JpegDecoder::decode_jpeg_region(DecodeResult& result) {
  LibjpegState& state = *state_;
  const int scaled_width = scaled_dimension(result.source_width, result.scale_eighths);
  const int scaled_height = scaled_dimension(result.source_height, result.scale_eighths);
  PixelRect& scaled = result.scaled_region;
  scale_span(result.region.x, result.region.width, result.scale_eighths, scaled_width, scaled.x, scaled.width);
  scale_span(result.region.y, result.region.height, result.scale_eighths, scaled_height, scaled.y, scaled.height);

  const bool cmyk = state.info.num_components == 4;
  const std::size_t stride = std::size_t(scaled_width) * (cmyk ? 4 : 3);
  if (pixel_buffer_.size() < stride * scaled.height) pixel_buffer_.resize(stride * scaled.height);
  if (state.rows.size() < std::size_t(scaled.height)) state.rows.resize(scaled.height);
  for (int row = 0; row < scaled.height; ++row) state.rows[row] = pixel_buffer_.data() + row * stride;

  // One extra column on each side: at a cropped edge libjpeg's fancy chroma upsampling replicates the
  // edge sample instead of reading the real neighbour, so the region's own columns stay exact.
  const int first_column = std::max(0, scaled.x - 1);
  const int column_count = std::min(scaled_width, scaled.x + scaled.width + 1) - first_column;
  const RowPlan plan{result.scale_eighths, cmyk,         options_.fast_dct, scaled_width,  scaled_height,
                     first_column,         column_count, scaled.y,          scaled.height, state.rows.data()};
  JDIMENSION decoded_first_column = 0;
  const int failed = decode_rows_guarded(state.info, state.error, plan, decoded_first_column);
  result.warning_count = state.error.warning_count;
  result.premature_end = state.error.hit_end_of_data;
  if (failed != 0) {
    result.outcome = state.error.hit_end_of_data && !state.error.scan_limit_exceeded ? DecodeOutcome::Truncated
                                                                                     : DecodeOutcome::Corrupt;
    result.detail = failed == 1 ? state.error.fatal_message : "libjpeg's output geometry differs from the plan";
    return;
  }
  if (ended_before_region(scaled)) {
    result.outcome = DecodeOutcome::Truncated;
    result.detail = "data ends before the requested region";
    return;
  }
  if (cmyk)
    for (int row = 0; row < scaled.height; ++row)
      cmyk_row_to_rgb(state.rows[row], static_cast<int>(scaled.x + scaled.width - decoded_first_column));
  result.outcome = result.warning_count > 0 ? DecodeOutcome::OkWithWarnings : DecodeOutcome::Ok;
  result.detail = state.error.first_warning;
  result.pixels = pixel_buffer_.data() + std::size_t(scaled.x - static_cast<int>(decoded_first_column)) * 3;
  result.width = scaled.width;
  result.height = scaled.height;
  result.row_stride = stride;
}

// Data that ended before any of the region was read leaves nothing but flat grey there: a skip.
bool JpegDecoder::ended_before_region(const PixelRect& scaled_region) const {
  const LibjpegState& state = *state_;
  if (!state.error.hit_end_of_data) return false;
  // Progressive and non-interleaved files are read scan by scan: the first scan must be complete.
  const bool multiple_scans = state.info.progressive_mode || state.info.comps_in_scan < state.info.num_components;
  if (multiple_scans) return state.error.end_of_data_scan <= 1;
  const int imcu_height = state.info.max_v_samp_factor * state.info.min_DCT_scaled_size;
  return std::int64_t(state.error.end_of_data_imcu_row) * imcu_height <= scaled_region.y;
}

DecodeResult JpegDecoder::decode_png(const std::uint8_t* data, std::size_t size, const DecodeRequest& request) {
  DecodeResult result;
  std::vector<std::uint8_t>& decoded = state_->png_pixels;
  PngImage image;
  if (!read_png_rgb(data, size, decoded, image, result.detail)) {
    result.outcome = DecodeOutcome::Corrupt;
    return result;
  }
  result.outcome = DecodeOutcome::PngDecoded;
  result.source_width = image.width;
  result.source_height = image.height;
  result.region = clamp_region(request.region, image.width, image.height);
  result.scaled_region = result.region;
  const PixelRect& region = result.region;
  const std::size_t stride = std::size_t(region.width) * 3;
  if (pixel_buffer_.size() < stride * region.height) pixel_buffer_.resize(stride * region.height);
  for (int row = 0; row < region.height; ++row)  // only the region's rows and columns
    std::memcpy(pixel_buffer_.data() + row * stride,
                decoded.data() + (std::size_t(region.y + row) * image.width + region.x) * 3, stride);
  result.pixels = pixel_buffer_.data();
  result.width = region.width;
  result.height = region.height;
  result.row_stride = stride;
  return result;
}

DecodeResult JpegDecoder::decode_file(const std::string& path, const DecodeRequest& request) {
  const FileReadResult read = read_file_into(path, file_buffer_);
  if (read.outcome != FileReadOutcome::Ok) {
    DecodeResult result;
    result.outcome = decode_outcome_of_file_read(read.outcome);
    result.detail = std::string(file_read_outcome_name(read.outcome)) + (read.detail.empty() ? "" : ": ") + read.detail;
    return result;
  }
  return decode(file_buffer_.data(), file_buffer_.size(), request);
}

}  // namespace genint::io
