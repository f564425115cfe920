// A small ImageFolder tree of real JPEGs in a unique temp dir (removed again by the destructor), plus one
// undecodable file, so natural-source tests exercise the real decode path and its skip reporting.
#pragma once

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <random>
#include <string>

#include "support/jpeg_file.h"
#include "support/temporary_directory.h"

namespace genint::loader::testing {

class JpegTree {
 public:
  // classes × per_class JPEGs of 40×32 noise; with_broken adds class0/broken.JPEG holding random bytes.
  JpegTree(int classes, int per_class, bool with_broken) : directory_("loader-test") {
    const std::filesystem::path& root = directory_.path();
    std::mt19937 generator(17);
    for (int label = 0; label < classes; ++label) {
      const std::filesystem::path folder = root / ("class" + std::to_string(label));
      std::filesystem::create_directories(folder);
      for (int image = 0; image < per_class; ++image) {
        cv::Mat pixels(32, 40, CV_8UC3);
        for (int byte = 0; byte < pixels.rows * pixels.cols * 3; ++byte)
          pixels.data[byte] = static_cast<unsigned char>(generator());
        ::genint::testing::write_jpeg_file((folder / ("image" + std::to_string(image) + ".JPEG")).string(), pixels);
      }
    }
    if (with_broken) {
      std::ofstream broken(root / "class0" / "broken.JPEG", std::ios::binary);
      for (int byte = 0; byte < 500; ++byte) broken.put(static_cast<char>(generator()));
    }
  }
  JpegTree(const JpegTree&) = delete;
  JpegTree& operator=(const JpegTree&) = delete;

  std::string root() const { return directory_.path().string(); }

 private:
  ::genint::testing::TemporaryDirectory directory_;
};

}  // namespace genint::loader::testing
