// Tests only: golden files (safetensors, read through nn/safetensors) with their tensors and __metadata__, and
// the float comparisons tests use: |actual − expected| ≤ absolute + relative·|expected| everywhere, and the
// largest |actual − expected| as a number (to bound, to require a change, or to record).
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"

namespace genint::testing {

// GENINT_TEST_DATA_DIR/golden/nn/<file>, the folder of the nn goldens (file names carry their extension).
inline std::string nn_golden_path(const std::string& file) {
  return std::string(GENINT_TEST_DATA_DIR) + "/golden/nn/" + file;
}

class GoldenFile {
 public:
  explicit GoldenFile(const std::string& path) : path_(path), file_(io::SafetensorsFile::open(path)) {}

  bool contains(const std::string& name) const { return file_.contains(name); }

  std::vector<std::int64_t> shape(const std::string& name) const {
    const std::vector<std::uint64_t>& stored = file_.tensor(name).shape;
    return std::vector<std::int64_t>(stored.begin(), stored.end());
  }
  // One axis of a tensor's shape as an int (every golden is small); an error names the file, tensor and axis.
  int dimension(const std::string& name, std::size_t axis) const {
    const std::vector<std::uint64_t>& stored = file_.tensor(name).shape;
    GENINT_CHECK(axis < stored.size(), path_ + ": tensor " + name + " has no axis " + std::to_string(axis));
    return static_cast<int>(stored[axis]);
  }

  // A tensor's elements converted as io::SafetensorsFile::read does.
  template <typename T>
  std::vector<T> read(const std::string& name) const {
    return file_.read<T>(name);
  }
  // An F32 tensor, copied as stored; any other dtype is an error naming the file and tensor.
  std::vector<float> floats(const std::string& name) const {
    GENINT_CHECK(file_.tensor(name).dtype == io::SafetensorsDtype::F32, path_ + ": tensor " + name + " is not F32");
    return file_.read<float>(name);
  }

  std::string metadata(const std::string& key) const {
    const auto found = file_.metadata().find(key);
    GENINT_CHECK(found != file_.metadata().end(), path_ + ": no metadata " + key);
    return found->second;
  }
  int metadata_int(const std::string& key) const { return std::stoi(metadata(key)); }
  float metadata_float(const std::string& key) const { return std::stof(metadata(key)); }

  const io::SafetensorsFile& file() const { return file_; }

 private:
  std::string path_;
  io::SafetensorsFile file_;
};

// The nn golden `<name>.safetensors` (the op goldens of tools/golden/make_nn_*_goldens.py).
inline GoldenFile open_nn_golden(const std::string& name) {
  return GoldenFile(nn_golden_path(name + ".safetensors"));
}

// Every |actual − expected| ≤ absolute + relative·|expected|, and a NaN or infinity on either side fails (its
// error is not a number). A failure lists the first few misses, then the miss count and the element that is
// furthest past its own tolerance, so it says how far off the result is, not just that it is.
inline void expect_all_close(const std::vector<float>& actual, const std::vector<float>& expected, double absolute,
                             double relative, const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  constexpr std::size_t kListedMisses = 5;
  std::size_t misses = 0;
  std::size_t worst = 0;
  double worst_excess = -HUGE_VAL;
  for (std::size_t index = 0; index < actual.size(); ++index) {
    const double error = std::fabs(static_cast<double>(actual[index]) - static_cast<double>(expected[index]));
    double excess = error - (absolute + relative * std::fabs(static_cast<double>(expected[index])));
    if (!std::isfinite(excess)) excess = HUGE_VAL;  // inf − inf and NaN compare as "close" to nothing
    if (excess > 0.0 && ++misses <= kListedMisses)
      ADD_FAILURE() << what << "[" << index << "]: " << actual[index] << " vs " << expected[index];
    if (excess > worst_excess) {
      worst_excess = excess;
      worst = index;
    }
  }
  EXPECT_EQ(misses, 0U) << what << ": worst is element " << worst << " of " << actual.size() << ", "
                        << (actual.empty() ? 0.0f : actual[worst]) << " vs expected "
                        << (actual.empty() ? 0.0f : expected[worst]) << " (tolerance " << absolute << " + " << relative
                        << "·|expected|)";
}

// max |actual − expected|. A size mismatch fails the test; it, or a NaN/infinity on either side, gives NaN, so
// that neither EXPECT_LE (close enough) nor EXPECT_GT (changed) can pass on it.
inline float max_abs_difference(const std::vector<float>& actual, const std::vector<float>& expected) {
  EXPECT_EQ(actual.size(), expected.size());
  if (actual.size() != expected.size()) return std::numeric_limits<float>::quiet_NaN();
  float worst = 0.0f;
  for (std::size_t index = 0; index < actual.size(); ++index) {
    const float difference = std::fabs(actual[index] - expected[index]);
    if (!std::isfinite(difference)) return std::numeric_limits<float>::quiet_NaN();
    worst = std::max(worst, difference);
  }
  return worst;
}

}  // namespace genint::testing
