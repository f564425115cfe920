// Helpers for the safetensors tests: crafting raw files from a header string, the shared temporary
// directory, and catching the message of a rejected file.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/temporary_directory.h"

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

using ::genint::testing::TemporaryDirectory;

inline void write_bytes(const std::string& path, const std::vector<std::uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(static_cast<const char*>(static_cast<const void*>(bytes.data())),
            static_cast<std::streamsize>(bytes.size()));
}

inline std::vector<std::uint8_t> read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace genint::io::testing
