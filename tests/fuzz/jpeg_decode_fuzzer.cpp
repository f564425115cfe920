// libFuzzer target for the decode path: the bytes go to a reused JpegDecoder with a crop region and output
// size taken from the input's last bytes, then through a reused NaturalSampleMaker (train, with flip).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "io/jpeg/jpeg_decoder.h"
#include "io/natural/natural_pipeline.h"

namespace {

// A low pixel cap keeps each run fast; the cap's own logic is the same at any value.
constexpr std::uint64_t kFuzzMaxPixels = 4u * 1000u * 1000u;

genint::io::NaturalPipelineConfig fuzz_config() {
  genint::io::NaturalPipelineConfig config;
  config.layout = genint::io::OutputLayout::Uint8HWC;
  config.output_size = 64;
  config.max_pixels = kFuzzMaxPixels;
  return config;
}

// Reads every delivered pixel so AddressSanitizer sees any read outside the decoder's buffer.
unsigned checksum(const genint::io::DecodeResult& result) {
  unsigned sum = 0;
  for (int row = 0; row < result.height; ++row)
    for (int value = 0; value < result.width * 3; ++value) sum += result.pixels[row * result.row_stride + value];
  return sum;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static genint::io::JpegDecoder decoder([] {
    genint::io::JpegDecoderOptions options;
    options.max_pixels = kFuzzMaxPixels;
    return options;
  }());
  static genint::io::NaturalSampleMaker maker(fuzz_config());
  static std::vector<std::uint8_t> output(maker.output_values());

  std::uint8_t knobs[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const std::size_t knob_bytes = size < 8 ? size : 8;
  std::memcpy(knobs, data + size - knob_bytes, knob_bytes);
  genint::io::DecodeRequest request;
  request.region = {knobs[0] * 4, knobs[1] * 4, knobs[2] * 8, knobs[3] * 8};
  request.min_output_width = knobs[4];
  request.min_output_height = knobs[5];
  const genint::io::DecodeResult result = decoder.decode(data, size, request);
  if (genint::io::decode_outcome_has_pixels(result.outcome)) {
    volatile unsigned sink = checksum(result);
    (void)sink;
  }
  std::uint64_t seed = 0;
  std::memcpy(&seed, knobs, sizeof(seed));
  maker.make(data, size, seed, output.data());
  return 0;
}
