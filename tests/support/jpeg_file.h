// Writes test images as JPEG files with libjpeg-turbo's TurboJPEG API, byte for byte what cv::imwrite writes (quality
// 95, 4:2:0, the accurate DCT), so tests need no OpenCV image codecs, whose ~130 libraries keep CUDA tests out of a
// device pack.
#pragma once

#include <turbojpeg.h>

#include <fstream>
#include <opencv2/core.hpp>
#include <stdexcept>
#include <string>

namespace genint::testing {

// `bgr`: 8-bit, 3 channels in OpenCV's BGR order (what cv::imwrite takes).
inline void write_jpeg_file(const std::string& path, const cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3) throw std::invalid_argument("write_jpeg_file: " + path + ": not an 8-bit BGR image");
  const cv::Mat pixels = bgr.isContinuous() ? bgr : bgr.clone();
  tjhandle compressor = tjInitCompress();
  if (compressor == nullptr) throw std::runtime_error("write_jpeg_file: tjInitCompress failed");
  unsigned char* jpeg = nullptr;
  unsigned long jpeg_size = 0;
  const int status = tjCompress2(compressor, pixels.data, pixels.cols, static_cast<int>(pixels.step), pixels.rows,
                                 TJPF_BGR, &jpeg, &jpeg_size, TJSAMP_420, 95, TJFLAG_ACCURATEDCT);
  const std::string error = status == 0 ? "" : tjGetErrorStr2(compressor);
  tjDestroy(compressor);
  if (status == 0) {
    std::ofstream file(path, std::ios::binary);
    file.write(reinterpret_cast<const char*>(jpeg), static_cast<std::streamsize>(jpeg_size));
    if (!file) {
      tjFree(jpeg);
      throw std::runtime_error("write_jpeg_file: cannot write " + path);
    }
  }
  tjFree(jpeg);
  if (status != 0) throw std::runtime_error("write_jpeg_file: " + path + ": " + error);
}

}  // namespace genint::testing
