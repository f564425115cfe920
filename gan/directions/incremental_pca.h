// Streamed PCA that never holds the N × D sample matrix: incremental PCA (Ross et al. 2008, sklearn's
// IncrementalPCA) whose per-batch SVD runs on the small Gram matrix of [S·V; centred batch; mean correction].
#pragma once

#include <cstdint>
#include <vector>

namespace genint {

// Why this method: D reaches 32 768 for BigGAN-deep's gen_z, where a D × D float64 covariance is 8.6 GB.
// Incremental PCA keeps only the top `tracked` components (tracked × D) plus one batch (batch × D), all
// float64; each batch costs one (tracked + batch + 1)² × D Gram product (dsyrk) and a small eigen-solve.
// It is exact while the data's rank stays within `tracked` (an affine layer of a z_dim latent: rank ≤ z_dim
// per class) and otherwise a close approximation to the top components; tracking a few more than are kept
// (`tracked` > `components`) limits what truncating the basis after each batch loses.
class IncrementalPca {
 public:
  IncrementalPca(int dimension, int components, int tracked_components, int max_batch);

  // rows: [count, dimension] float32, 1 ≤ count ≤ max_batch.
  void add_batch(const float* rows, int count);

  int dimension() const { return dimension_; }
  int components() const { return components_; }
  std::uint64_t samples_seen() const { return seen_; }
  // Components found so far (at most the data's numerical rank).
  int available_components() const { return basis_rows_; }

  const std::vector<double>& mean() const { return mean_; }  // [dimension]
  // [components, dimension], unit rows, by decreasing variance. Throws unless ≥ 2 samples were seen and the
  // data had at least `components` non-degenerate directions.
  std::vector<double> principal_components() const;
  // Sample variance (divisor n − 1) along each principal component: [components].
  std::vector<double> explained_variance() const;
  // Sum of the per-feature sample variances: the denominator of an explained-variance ratio.
  double total_variance() const;

 private:
  void check_ready() const;
  void stack_rows(const float* rows, int count, std::vector<double>& batch_mean);
  void update_moments(const float* rows, int count, const std::vector<double>& batch_mean);
  void update_basis(int stacked_rows);

  int dimension_;
  int components_;
  int tracked_;
  int max_batch_;
  std::uint64_t seen_ = 0;
  int basis_rows_ = 0;
  std::vector<double> mean_;               // [dimension]
  std::vector<double> squared_deviation_;  // [dimension]: Σ (x − mean)², merged batch by batch (Chan et al.)
  std::vector<double> basis_;              // [tracked, dimension]
  std::vector<double> singular_values_;    // [tracked]
  std::vector<double> stacked_;            // [tracked + max_batch + 1, dimension]
  std::vector<double> gram_;               // [(tracked + max_batch + 1)²]
  std::vector<double> batch_mean_;         // [dimension]
  std::vector<double> projection_;         // [tracked, tracked + max_batch + 1]
};

}  // namespace genint
