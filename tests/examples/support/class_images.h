// Test support for genint-train and genint-eval: small JPEGs whose colour tells their class, so a tiny
// network can learn them in a few dozen steps, and plain file reading and writing.
#pragma once

#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <random>
#include <sstream>
#include <string>

#include "support/jpeg_file.h"

namespace genint::examples_testing {

// A size×size JPEG: class `label` is a noisy colour (class 0 reddish, 1 greenish, 2 bluish, ...).
inline void write_class_jpeg(const std::filesystem::path& file, int label, int size, std::mt19937& generator) {
  std::filesystem::create_directories(file.parent_path());
  cv::Mat pixels(size, size, CV_8UC3);
  std::uniform_int_distribution<int> noise(-40, 40);
  for (int row = 0; row < size; ++row) {
    for (int column = 0; column < size; ++column) {
      for (int channel = 0; channel < 3; ++channel) {
        // OpenCV stores BGR: channel 2 is red.
        const int base = (2 - channel) == label % 3 ? 200 : 60;
        pixels.at<cv::Vec3b>(row, column)[channel] = cv::saturate_cast<unsigned char>(base + noise(generator));
      }
    }
  }
  ::genint::testing::write_jpeg_file(file.string(), pixels);
}

// A size×size JPEG of one random colour: no class's, so a model's prediction for it moves with the weights.
inline void write_random_colour_jpeg(const std::filesystem::path& file, int size, std::mt19937& generator) {
  std::filesystem::create_directories(file.parent_path());
  std::uniform_int_distribution<int> channel_value(0, 255);
  const cv::Scalar colour(channel_value(generator), channel_value(generator), channel_value(generator));
  ::genint::testing::write_jpeg_file(file.string(), cv::Mat(size, size, CV_8UC3, colour));
}

inline void write_text(const std::filesystem::path& file, const std::string& text) {
  std::filesystem::create_directories(file.parent_path());
  std::ofstream stream(file, std::ios::binary);
  stream << text;
}

inline std::string read_bytes(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::ostringstream text;
  text << stream.rdbuf();
  return text.str();
}

}  // namespace genint::examples_testing
