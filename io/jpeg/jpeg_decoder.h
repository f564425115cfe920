// Decodes one JPEG (or a PNG misnamed .JPEG) into RGB, decoding only a region of interest at the smallest
// DCT scale that still covers the requested output size; classifies every outcome instead of throwing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "io/files/file_reader.h"

namespace genint::io {

// What became of one file. Ok, OkWithWarnings and PngDecoded deliver pixels; every other outcome is a skip.
enum class DecodeOutcome {
  Ok,              // clean decode
  OkWithWarnings,  // libjpeg warned (corrupt entropy data, extraneous bytes, premature end) and delivered
                   // the region; a JPEG cut short after some of the region was read lands here with
                   // premature_end set (its missing blocks decode as flat grey, as in every libjpeg tool)
  PngDecoded,      // a PNG (common among ImageNet's .JPEG files), decoded with OpenCV and delivered as RGB
  Empty,           // zero bytes
  Truncated,       // ends before anything usable of the requested region: inside the header, or before the
                   // region's first iMCU row (sequential) or the end of the first scan (progressive)
  NotJpeg,         // neither JPEG nor PNG signature
  Corrupt,         // libjpeg (or OpenCV for PNG) failed fatally
  TooManyPixels,   // the header claims more pixels than the cap; refused before any pixel memory is allocated
  Unreadable,      // the file could not be read (missing, permission, I/O error, too large)
  NotAFile,        // a directory, FIFO or device
};

const char* decode_outcome_name(DecodeOutcome outcome);
// True for the outcomes that deliver pixels.
bool decode_outcome_has_pixels(DecodeOutcome outcome);
// The skip a failed file read means: Empty, NotAFile, or Unreadable (missing, permission, I/O, too large).
DecodeOutcome decode_outcome_of_file_read(FileReadOutcome outcome);

// A rectangle in pixels: x, y are the top-left corner.
struct PixelRect {
  int x = 0;
  int y = 0;
  int width = 0;
  int height = 0;
};

struct JpegDecoderOptions {
  // Images whose header claims more pixels than this are refused unread (TooManyPixels).
  std::uint64_t max_pixels = std::uint64_t{64} * 1000 * 1000;
  // false = JDCT_ISLOW: pixels identical to PIL's and OpenCV's decodes (what torchvision trains on).
  // true = JDCT_IFAST (the reference's TJFLAG_FASTDCT): measured on the corpus only ~3% more images/s
  // through the whole pipeline (DCT-scaled decodes use libjpeg's reduced IDCTs either way) for a mean
  // difference of 0.98 levels and up to 7 at 8/8, so exactness wins by default.
  bool fast_dct = false;
  // Progressive files with more scans than this are refused as corrupt: a hostile file can hold
  // thousands of tiny scans and make a decode take minutes.
  int max_progressive_scans = 500;
  // DCT scales offered: false = 1/8, 2/8, 4/8, 8/8 only; true = every n/8. libjpeg-turbo has SIMD inverse
  // DCTs only for those four; 3/8, 5/8, 6/8, 7/8 run scalar C (and scale chroma through 10×10..14×14
  // IDCTs), which measured ~12% slower per image on the corpus than decoding the next power of two up.
  bool every_eighth_scale = false;
};

// What to decode. `region` is in ORIGINAL image coordinates (a zero-size region means the whole image).
// The decoder picks the smallest offered DCT scale n/8 (see every_eighth_scale) with
// region.width*n/8 >= min_output_width and region.height*n/8 >= min_output_height (capped at 8/8), and
// decodes only the rows and the iMCU-aligned columns that hold the region at that scale.
// min_output_* = 0 decodes at 8/8.
struct DecodeRequest {
  PixelRect region;
  int min_output_width = 0;
  int min_output_height = 0;
};

// The result of one decode. `pixels` points into the decoder's buffer and stays valid until the
// decoder's next call. The image is the requested region at the chosen scale: `width` x `height` RGB
// pixels (3 bytes each), rows `row_stride` bytes apart (the stride may exceed width * 3).
struct DecodeResult {
  DecodeOutcome outcome = DecodeOutcome::Corrupt;
  std::string detail;          // first libjpeg/OpenCV message or the reason for a skip (never the
                               // path: the caller knows it)
  int warning_count = 0;       // libjpeg warnings (emit_message level -1)
  bool premature_end = false;  // the data ended early; missing blocks decode as flat grey
  int source_width = 0;        // from the header (0 when the header could not be read)
  int source_height = 0;
  int scale_eighths = 8;    // the DCT scale used: n/8
  PixelRect region;         // the requested region, clamped to the image (original coordinates)
  PixelRect scaled_region;  // that region at the chosen scale, rounded to whole pixels
  const std::uint8_t* pixels = nullptr;
  int width = 0;
  int height = 0;
  std::size_t row_stride = 0;
};

// Reads only the header: dimensions and the outcome a decode would start from (NotJpeg, Truncated, ...).
struct ImageHeader {
  DecodeOutcome outcome = DecodeOutcome::Corrupt;
  std::string detail;
  int width = 0;
  int height = 0;
  int components = 0;
  bool is_png = false;
};

// Smallest n in 1..8 (in 1, 2, 4, 8 unless every_eighth) such that region_width*n/8 >= output_width and
// region_height*n/8 >= output_height (8 when even 8/8 does not cover it: never upsample in the DCT;
// 8 when no output size is given).
int smallest_covering_scale_eighths(int region_width, int region_height, int output_width, int output_height,
                                    bool every_eighth);

// One per thread, reused: its buffers keep their capacity, so steady-state decoding allocates nothing.
// Not thread-safe; never throws for bad input (the outcome says what was wrong).
class JpegDecoder {
 public:
  explicit JpegDecoder(JpegDecoderOptions options = {});
  ~JpegDecoder();
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;

  ImageHeader read_header(const std::uint8_t* data, std::size_t size);
  DecodeResult decode(const std::uint8_t* data, std::size_t size, const DecodeRequest& request);
  // Reads the file (into a reused buffer) and decodes it; Unreadable/NotAFile/Empty come from the reader.
  DecodeResult decode_file(const std::string& path, const DecodeRequest& request);

  const JpegDecoderOptions& options() const { return options_; }

 private:
  struct LibjpegState;
  ImageHeader inspect(const std::uint8_t* data, std::size_t size);
  void decode_jpeg_region(DecodeResult& result);
  bool ended_before_region(const PixelRect& scaled_region) const;
  DecodeResult decode_png(const std::uint8_t* data, std::size_t size, const DecodeRequest& request);

  JpegDecoderOptions options_;
  std::unique_ptr<LibjpegState> state_;
  std::vector<std::uint8_t> pixel_buffer_;
  std::vector<std::uint8_t> file_buffer_;
};

}  // namespace genint::io
