// The golden-file helpers every golden test leans on (tests/support/golden_file.h): the comparison must fail on
// what it should (a miss, NaN, infinity) and pass what it should, and the reader must name what is missing.
#include "support/golden_file.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "nn/core/error.h"

namespace genint {
namespace {

// The failures that `comparison` reports, intercepted so that they do not fail this test.
std::vector<std::string> failures_of(const std::function<void()>& comparison) {
  ::testing::TestPartResultArray results;
  {
    const ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    comparison();
  }
  std::vector<std::string> messages;
  for (int index = 0; index < results.size(); ++index)
    messages.emplace_back(results.GetTestPartResult(index).message());
  return messages;
}

bool mentions(const std::vector<std::string>& messages, const std::string& needle) {
  for (const std::string& message : messages)
    if (message.find(needle) != std::string::npos) return true;
  return false;
}

TEST(GoldenFileComparison, PassesWithinTheAbsolutePlusRelativeTolerance) {
  // 1000 ± (0.5 + 0.001·1000) = ± 1.5: 1001.4 is inside, as is 0.4 off 0.
  EXPECT_TRUE(failures_of([] {
                testing::expect_all_close({1001.4f, 0.4f}, {1000.0f, 0.0f}, 0.5, 1e-3, "in");
              }).empty());
  EXPECT_TRUE(failures_of([] { testing::expect_all_close({}, {}, 0.0, 0.0, "empty"); }).empty());
  EXPECT_FALSE(failures_of([] { testing::expect_all_close({1001.6f}, {1000.0f}, 0.5, 1e-3, "out"); }).empty());
}

TEST(GoldenFileComparison, AMissListsItselfAndTheSummaryNamesTheWorstElement) {
  const auto messages = failures_of([] {
    testing::expect_all_close({1.0f, 2.2f, 3.5f}, {1.0f, 2.0f, 3.0f}, 0.1, 0.0, "values");
  });
  ASSERT_EQ(messages.size(), 3u);  // two misses, one summary
  EXPECT_TRUE(mentions(messages, "values[1]: 2.2"));
  EXPECT_TRUE(mentions(messages, "values[2]: 3.5 vs 3"));
  EXPECT_TRUE(mentions(messages, "worst is element 2 of 3"));
  std::vector<float> many(100, 1.0f);
  const auto capped = failures_of([&] { testing::expect_all_close(many, std::vector<float>(100, 0.0f), 0, 0, "x"); });
  EXPECT_EQ(capped.size(), 6u);  // five listed misses, one summary
}

TEST(GoldenFileComparison, NotANumberAndInfinityNeverCompareClose) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float infinity = std::numeric_limits<float>::infinity();
  EXPECT_TRUE(mentions(failures_of([&] { testing::expect_all_close({nan}, {1.0f}, 1e9, 1e9, "a"); }), "a[0]"));
  EXPECT_TRUE(mentions(failures_of([&] { testing::expect_all_close({1.0f}, {nan}, 1e9, 1e9, "b"); }), "b[0]"));
  EXPECT_TRUE(mentions(failures_of([&] { testing::expect_all_close({nan}, {nan}, 1e9, 1e9, "c"); }), "c[0]"));
  EXPECT_TRUE(mentions(failures_of([&] { testing::expect_all_close({infinity}, {infinity}, 1e9, 1e9, "d"); }), "d[0]"));
  EXPECT_TRUE(mentions(failures_of([&] { testing::expect_all_close({infinity}, {1.0f}, 1e9, 1e9, "e"); }), "e[0]"));
}

TEST(GoldenFileComparison, ASizeMismatchFails) {
  EXPECT_TRUE(mentions(failures_of([] {
                         testing::expect_all_close({1.0f}, {1.0f, 2.0f}, 1.0, 1.0, "sizes");
                       }),
                       "sizes"));
}

TEST(GoldenFileReader, ReadsShapesAndNamesWhatIsMissing) {
  const testing::GoldenFile golden = testing::open_nn_golden("relu");
  ASSERT_TRUE(golden.contains("input"));
  const std::vector<std::int64_t> shape = golden.shape("input");
  ASSERT_FALSE(shape.empty());
  EXPECT_EQ(golden.dimension("input", 0), shape[0]);
  EXPECT_EQ(golden.read<float>("input"), golden.floats("input"));
  try {
    golden.dimension("input", shape.size());
    FAIL() << "no error for an axis past the shape";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("relu.safetensors: tensor input has no axis"), std::string::npos)
        << error.what();
  }
  try {
    golden.metadata("no-such-key");
    FAIL() << "no error for missing metadata";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("no metadata no-such-key"), std::string::npos) << error.what();
  }
}

TEST(GoldenFileComparison, MaxAbsDifferenceIsTheWorstElementAndNaNOnAnythingNonFinite) {
  EXPECT_FLOAT_EQ(testing::max_abs_difference({1.0f, -2.0f, 3.0f}, {1.5f, -2.0f, 0.0f}), 3.0f);
  EXPECT_EQ(testing::max_abs_difference({}, {}), 0.0f);
  const float not_a_number = std::numeric_limits<float>::quiet_NaN();
  // A NaN or infinite output must never read as "close": the old copies skipped NaN silently.
  EXPECT_TRUE(std::isnan(testing::max_abs_difference({0.0f, not_a_number}, {0.0f, 0.0f})));
  EXPECT_TRUE(std::isnan(testing::max_abs_difference({std::numeric_limits<float>::infinity()}, {1.0f})));
  // A size mismatch is a failure of its own (EXPECT_EQ inside) and also returns NaN.
  const std::vector<std::string> failures = failures_of([] {
    EXPECT_TRUE(std::isnan(testing::max_abs_difference({1.0f}, {1.0f, 2.0f})));
  });
  EXPECT_EQ(failures.size(), 1u);
}

}  // namespace
}  // namespace genint
