// The streamed (incremental, Gram-matrix) PCA against the exact PCA of the full sample covariance, on data
// with a spread spectrum, uneven batches and a mean far from zero; and its refusals.
#include "gan/directions/incremental_pca.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "gan/directions/symmetric_eigen.h"
#include "nn/core/error.h"

namespace genint {
namespace {

constexpr int kDimension = 12;
constexpr int kSamples = 600;

// Rows x = mean + Σ_k scale_k g_k q_k with a random orthonormal-ish basis: distinct variances 3², 2.5², …
std::vector<float> spread_samples(unsigned seed) {
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<double> mixing(kDimension * kDimension);
  for (double& value : mixing) value = normal(generator);
  std::vector<float> rows(static_cast<std::size_t>(kSamples * kDimension));
  for (int row = 0; row < kSamples; ++row) {
    for (int column = 0; column < kDimension; ++column)
      rows[static_cast<std::size_t>(row * kDimension + column)] = 5.0f + 0.5f * column;
    for (int k = 0; k < kDimension; ++k) {
      const double amount = normal(generator) * (3.0 / (1.0 + 0.5 * k));
      for (int column = 0; column < kDimension; ++column) {
        rows[static_cast<std::size_t>(row * kDimension + column)] +=
            static_cast<float>(amount * mixing[static_cast<std::size_t>(k * kDimension + column)]);
      }
    }
  }
  return rows;
}

TEST(IncrementalPca, MatchesExactPcaWhenTrackingEveryDirection) {
  const std::vector<float> rows = spread_samples(7);
  IncrementalPca pca(kDimension, 5, kDimension, 64);
  const int batches[] = {37, 64, 1, 50, 64};  // uneven, including a single row
  int first = 0;
  while (first < kSamples) {
    for (int size : batches) {
      const int count = std::min(size, kSamples - first);
      if (count <= 0) break;
      pca.add_batch(rows.data() + first * kDimension, count);
      first += count;
    }
  }
  // Exact: covariance of all rows in float64, then its eigenvectors.
  std::vector<double> mean(kDimension, 0.0), covariance(kDimension * kDimension, 0.0);
  for (int row = 0; row < kSamples; ++row)
    for (int column = 0; column < kDimension; ++column)
      mean[static_cast<std::size_t>(column)] +=
          rows[static_cast<std::size_t>(row * kDimension + column)] / double{kSamples};
  for (int row = 0; row < kSamples; ++row)
    for (int i = 0; i < kDimension; ++i)
      for (int j = 0; j < kDimension; ++j)
        covariance[static_cast<std::size_t>(i * kDimension + j)] +=
            (rows[static_cast<std::size_t>(row * kDimension + i)] - mean[static_cast<std::size_t>(i)]) *
            (rows[static_cast<std::size_t>(row * kDimension + j)] - mean[static_cast<std::size_t>(j)]) / (kSamples - 1);
  const SymmetricEigen exact = symmetric_eigen(covariance.data(), kDimension, "test covariance");
  const std::vector<double> components = pca.principal_components();
  const std::vector<double> variance = pca.explained_variance();
  ASSERT_EQ(pca.samples_seen(), static_cast<std::uint64_t>(kSamples));
  // All float64 arithmetic on well-separated eigenvalues: agreement to ~1e-12; 1e-9 leaves room for the
  // Gram route's squared condition number (eigenvalue ratio ≤ 36 here).
  for (int k = 0; k < 5; ++k) {
    double dot = 0.0;
    for (int column = 0; column < kDimension; ++column)
      dot += components[static_cast<std::size_t>(k * kDimension + column)] *
             exact.vectors[static_cast<std::size_t>(k * kDimension + column)];
    EXPECT_NEAR(std::fabs(dot), 1.0, 1e-9) << k;
    EXPECT_NEAR(variance[static_cast<std::size_t>(k)], exact.values[static_cast<std::size_t>(k)],
                1e-9 * exact.values[0])
        << k;
  }
  double trace = 0.0;
  for (int i = 0; i < kDimension; ++i) {
    trace += covariance[static_cast<std::size_t>(i * kDimension + i)];
    EXPECT_NEAR(pca.mean()[static_cast<std::size_t>(i)], mean[static_cast<std::size_t>(i)], 1e-9) << i;
  }
  EXPECT_NEAR(pca.total_variance(), trace, 1e-9 * trace);
}

TEST(IncrementalPca, RefusesMoreComponentsThanTheDataHas) {
  IncrementalPca pca(4, 3, 4, 8);
  // Every row on one line: one non-degenerate direction, three asked for.
  const std::vector<float> rows = {1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12};
  pca.add_batch(rows.data(), 3);
  EXPECT_EQ(pca.available_components(), 1);
  EXPECT_THROW(pca.principal_components(), Error);
}

TEST(IncrementalPca, RefusesBadShapesAndBatches) {
  EXPECT_THROW(IncrementalPca(0, 1, 1, 1), Error);
  EXPECT_THROW(IncrementalPca(4, 5, 5, 1), Error);
  EXPECT_THROW(IncrementalPca(4, 3, 2, 1), Error);
  IncrementalPca pca(4, 1, 2, 2);
  const std::vector<float> rows(12, 1.0f);
  EXPECT_THROW(pca.add_batch(rows.data(), 3), Error);
  EXPECT_THROW(pca.add_batch(rows.data(), 0), Error);
  EXPECT_THROW(pca.explained_variance(), Error);  // no samples yet
}

TEST(SymmetricEigen, SolvesNormalEquationsWithRankDeficiency) {
  // A = [[1, 0], [0, 0], [1, 0]] → AᵀA = [[2, 0], [0, 0]]; the dependent column gets the minimum-norm 0.
  const std::vector<double> gram = {2, 0, 0, 0};
  const std::vector<double> right = {4, 0};
  const std::vector<double> solution = solve_normal_equations(gram, 2, right, 1, 1e-12);
  EXPECT_DOUBLE_EQ(solution[0], 2.0);
  EXPECT_DOUBLE_EQ(solution[1], 0.0);
}

}  // namespace
}  // namespace genint
