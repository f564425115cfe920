// Tests only: a minimal safetensors reader (F32 tensors and __metadata__) for the nn goldens.
// io/safetensors is the project's real reader; this stands in until the nn tests can link it.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "nn/core/error.h"

namespace genint::testing {

class GoldenFile {
 public:
  explicit GoldenFile(const std::string& path) : path_(path) {
    std::ifstream file(path, std::ios::binary | std::ios::ate);
    GENINT_CHECK(file.good(), "golden file " + path + " cannot be opened");
    // Sized read, not istreambuf_iterator: GCC 12 flags the iterator's internals under -Wnull-dereference.
    bytes_.resize(static_cast<std::size_t>(file.tellg()));
    file.seekg(0);
    file.read(bytes_.data(), static_cast<std::streamsize>(bytes_.size()));
    GENINT_CHECK(file.good(), "golden file " + path + " cannot be read");
    GENINT_CHECK(bytes_.size() >= 8, "golden file " + path + " is shorter than its 8-byte header length");
    std::uint64_t header_length = 0;
    std::memcpy(&header_length, bytes_.data(), 8);
    GENINT_CHECK(header_length <= bytes_.size() - 8, "golden file " + path + " header length runs past the end");
    header_ = nlohmann::json::parse(bytes_.begin() + 8, bytes_.begin() + 8 + static_cast<std::ptrdiff_t>(header_length));
    data_start_ = 8 + static_cast<std::size_t>(header_length);
  }

  bool contains(const std::string& name) const { return header_.contains(name); }

  std::vector<std::int64_t> shape(const std::string& name) const {
    return entry(name).at("shape").get<std::vector<std::int64_t>>();
  }

  std::vector<float> floats(const std::string& name) const {
    const nlohmann::json& found = entry(name);
    GENINT_CHECK(found.at("dtype") == "F32", path_ + ": tensor " + name + " is not F32");
    const auto offsets = found.at("data_offsets").get<std::vector<std::size_t>>();
    GENINT_CHECK(offsets.size() == 2 && offsets[0] <= offsets[1] && data_start_ + offsets[1] <= bytes_.size() &&
                     (offsets[1] - offsets[0]) % sizeof(float) == 0,
                 path_ + ": tensor " + name + " has bad data_offsets");
    std::vector<float> values((offsets[1] - offsets[0]) / sizeof(float));
    std::memcpy(values.data(), bytes_.data() + data_start_ + offsets[0], offsets[1] - offsets[0]);
    return values;
  }

  std::string metadata(const std::string& key) const {
    GENINT_CHECK(header_.contains("__metadata__") && header_["__metadata__"].contains(key),
                 path_ + ": no metadata " + key);
    return header_["__metadata__"][key].get<std::string>();
  }
  int metadata_int(const std::string& key) const { return std::stoi(metadata(key)); }
  float metadata_float(const std::string& key) const { return std::stof(metadata(key)); }

 private:
  const nlohmann::json& entry(const std::string& name) const {
    GENINT_CHECK(header_.contains(name), path_ + ": no tensor " + name);
    return header_.at(name);
  }
  std::string path_;
  std::vector<char> bytes_;
  nlohmann::json header_;
  std::size_t data_start_ = 0;
};

inline std::string nn_golden_path(const std::string& file) {
  return std::string(GENINT_TEST_DATA_DIR) + "/golden/nn/" + file;
}

// |actual − expected| ≤ absolute + relative·|expected| everywhere; reports the worst element.
inline void expect_close(const std::vector<float>& actual, const std::vector<float>& expected, double absolute,
                         double relative, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  double worst_excess = -1e30;
  std::size_t worst = 0;
  for (std::size_t index = 0; index < actual.size(); ++index) {
    const double error = std::fabs(static_cast<double>(actual[index]) - expected[index]);
    double excess = error - (absolute + relative * std::fabs(static_cast<double>(expected[index])));
    if (std::isnan(excess)) excess = 1e30;  // a NaN anywhere must fail
    if (excess > worst_excess) {
      worst_excess = excess;
      worst = index;
    }
  }
  if (actual.empty()) return;
  EXPECT_LE(worst_excess, 0.0) << what << ": element " << worst << " is " << actual[worst] << ", expected "
                               << expected[worst] << " (tolerance " << absolute << " + " << relative << "·|expected|)";
}

}  // namespace genint::testing
