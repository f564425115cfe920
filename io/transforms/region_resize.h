// Resamples a decoded region to the output size with the crop's exact geometry: the decoder rounds the
// scaled region to whole pixels, and this puts the sub-pixel remainder back so crops land where
// torchvision's would.
#pragma once

#include <cstdint>
#include <vector>

#include "io/jpeg/jpeg_decoder.h"

namespace genint::io {

// One per thread, reused: its tables keep their capacity.
class RegionResizer {
 public:
  // Writes target_width × target_height RGB (HWC, tightly packed) into `target`: bilinear sampling of
  // decoded.region (original coordinates) at decoded.scale_eighths, pixel centres aligned as cv::resize
  // aligns them. At 8/8 the decoded pixels are the region exactly and cv::resize does it. Area averaging
  // where the shrink exceeds 2× (only the largest images, where even 1/8 leaves more than twice the
  // output): bilinear would skip pixels and alias there.
  void resize(const DecodeResult& decoded, int target_width, int target_height, std::uint8_t* target);

 private:
  void resize_fractional(const DecodeResult& decoded, int target_width, int target_height, std::uint8_t* target);

  std::vector<int> column_index_;   // first source column of each output column (× 3: byte offset)
  std::vector<int> column_weight_;  // weight of the second source column, in 1/2048
  std::vector<std::int32_t> blended_row_;
};

}  // namespace genint::io
