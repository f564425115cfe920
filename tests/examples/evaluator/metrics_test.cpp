// genint-eval's scoring against hand computations: top-1/top-5 with one or several correct indices, the
// ObjectNet restricted scoring, and ImageNet-C's mCE with AlexNet's and a custom reference.
#include <gtest/gtest.h>

#include <vector>

#include "examples/evaluator/evaluation_metrics.h"
#include "nn/core/error.h"
#include "support/temporary_directory.h"
#include "tests/examples/support/class_images.h"

namespace genint::evaluator {
namespace {

// Logits ranking: class 3 > 0 > 5 > 1 > 6 > 2 > 4 > 7.
const std::vector<float> kLogits = {5, 3, 1, 9, 0.5f, 4, 2, -1};

TEST(Metrics, TopOneAndTopFive) {
  TopKCounts counts;
  score_sample(kLogits.data(), 8, {3}, {}, counts);  // top-1 hit
  score_sample(kLogits.data(), 8, {6}, {}, counts);  // rank 5: top-5 only
  score_sample(kLogits.data(), 8, {2}, {}, counts);  // rank 6: miss
  EXPECT_EQ(counts.samples, 3);
  EXPECT_EQ(counts.top1, 1);
  EXPECT_EQ(counts.top5, 2);
}

TEST(Metrics, SeveralTargetsCountOnce) {
  TopKCounts counts;
  score_sample(kLogits.data(), 8, {0, 3}, {}, counts);  // both in the top 5: one hit each
  score_sample(kLogits.data(), 8, {2, 5}, {}, counts);  // 5 is rank 3
  EXPECT_EQ(counts.top1, 1);
  EXPECT_EQ(counts.top5, 2);
}

TEST(Metrics, RestrictedScoringOnlyLetsCandidatesCompete) {
  TopKCounts all, restricted;
  // ObjectNet-like: only classes {1, 2, 4} are mapped; the target set is {2, 4}.
  score_sample(kLogits.data(), 8, {2, 4}, {}, all);
  score_sample(kLogits.data(), 8, {2, 4}, {1, 2, 4}, restricted);
  EXPECT_EQ(all.top1, 0);
  EXPECT_EQ(all.top5, 0);         // 2 is rank 6, 4 rank 7
  EXPECT_EQ(restricted.top1, 0);  // among {1, 2, 4}: 1 wins
  EXPECT_EQ(restricted.top5, 1);
  TopKCounts second;
  score_sample(kLogits.data(), 8, {1}, {1, 2, 4}, second);
  EXPECT_EQ(second.top1, 1);
}

TEST(Metrics, MceAgainstAHandComputation) {
  CorruptionSummary summary;
  summary.error_by_severity["gaussian_noise"] = {{1, 0.5}, {2, 0.7}, {3, 0.9}};
  summary.error_by_severity["fog"] = {{1, 0.4}, {5, 0.6}};
  compute_mce(summary, alexnet_corruption_errors());
  const double gaussian = 0.7 / 0.886428;
  const double fog = 0.5 / 0.819324;
  // Sums of a few doubles: 1e-12 is far above rounding and far below any real mistake.
  EXPECT_NEAR(summary.corruption_error["gaussian_noise"], gaussian, 1e-12);
  EXPECT_NEAR(summary.corruption_error["fog"], fog, 1e-12);
  EXPECT_NEAR(summary.mce, (gaussian + fog) / 2, 1e-12);

  genint::testing::TemporaryDirectory folder;
  examples_testing::write_text(folder.path() / "reference.json", R"({"gaussian_noise": 0.35, "fog": 0.25})");
  compute_mce(summary, read_reference_errors((folder.path() / "reference.json").string()));
  EXPECT_NEAR(summary.mce, (0.7 / 0.35 + 0.5 / 0.25) / 2, 1e-12);
  summary.error_by_severity["unknown_blur"] = {{1, 0.5}};
  EXPECT_THROW(compute_mce(summary, alexnet_corruption_errors()), Error);
}

}  // namespace
}  // namespace genint::evaluator
