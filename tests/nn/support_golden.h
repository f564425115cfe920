// Tests only: the nn goldens (F32 tensors and __metadata__ in tests/data/golden/nn) read through the project's
// safetensors reader (io/safetensors), and a float comparison that reports the worst element.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "io/safetensors/safetensors_reader.h"
#include "nn/core/error.h"

namespace genint::testing {

class GoldenFile {
 public:
  explicit GoldenFile(const std::string& path) : path_(path), file_(io::SafetensorsFile::open(path)) {}

  bool contains(const std::string& name) const { return file_.contains(name); }

  std::vector<std::int64_t> shape(const std::string& name) const {
    const std::vector<std::uint64_t>& stored = file_.tensor(name).shape;
    return std::vector<std::int64_t>(stored.begin(), stored.end());
  }

  // Copies an F32 tensor; any other dtype is an error naming the file and tensor.
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
