// Helpers for the safetensors tests: crafting raw files from a header string, a temporary
// directory removed at the end of the test, and catching the message of a rejected file.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "io/safetensors/safetensors_reader.h"
#include "nn/core/error.h"

namespace genint::io::testing {

// 8-byte little-endian `declared_length`, then `header`, then `buffer_bytes` bytes counting up from 0.
inline std::vector<std::uint8_t> craft_file(std::uint64_t declared_length, const std::string& header,
                                            std::size_t buffer_bytes) {
  std::vector<std::uint8_t> bytes;
  for (int i = 0; i < 8; ++i) bytes.push_back(static_cast<std::uint8_t>((declared_length >> (8 * i)) & 0xFFU));
  bytes.insert(bytes.end(), header.begin(), header.end());
  for (std::size_t i = 0; i < buffer_bytes; ++i) bytes.push_back(static_cast<std::uint8_t>(i));
  return bytes;
}

// The honest case: the length field matches the header.
inline std::vector<std::uint8_t> craft_file(const std::string& header, std::size_t buffer_bytes) {
  return craft_file(header.size(), header, buffer_bytes);
}

// The message of the genint::Error the reader throws, or "" when it accepts the bytes.
inline std::string rejection_of(const std::vector<std::uint8_t>& bytes) {
  try {
    SafetensorsFile::view_bytes(bytes.data(), bytes.size(), "crafted.safetensors");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    static std::atomic<int> counter{0};
    const auto* test = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = std::filesystem::temp_directory_path() /
            ("genint-safetensors-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
             (test != nullptr ? test->name() : "none"));
    std::filesystem::create_directories(path_);
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;
  std::string file(const std::string& name) const { return (path_ / name).string(); }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(static_cast<const void*>(bytes.data())), static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace genint::io::testing
