// Incremental PCA step: stack the old basis scaled by its singular values, the mean-centred batch and the
// mean-shift correction row, then take the top singular vectors of that stack through its Gram matrix.
#include "gan/directions/incremental_pca.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>

#include "gan/directions/symmetric_eigen.h"
#include "nn/core/error.h"
#include "nn/ops/gemm.h"

namespace genint {
namespace {

std::size_t product(int rows, int columns) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns);
}

// Singular values below this fraction of the largest are numerically zero: their 1/s would amplify the
// Gram matrix's round-off (relative 1e-16 of s₀²) into the basis, so those directions are dropped.
constexpr double kRelativeSingularCutoff = 1e-7;

}  // namespace

IncrementalPca::IncrementalPca(int dimension, int components, int tracked_components, int max_batch)
    : dimension_(dimension),
      components_(components),
      tracked_(std::min(tracked_components, dimension)),
      max_batch_(max_batch) {
  GENINT_CHECK(dimension > 0, "IncrementalPca: dimension must be positive, got " + std::to_string(dimension));
  GENINT_CHECK(components > 0 && components <= dimension, "IncrementalPca: components must lie in [1, dimension " +
                                                              std::to_string(dimension) + "], got " +
                                                              std::to_string(components));
  GENINT_CHECK(tracked_ >= components, "IncrementalPca: tracked components (" + std::to_string(tracked_components) +
                                           ") must be at least the components kept (" + std::to_string(components) +
                                           ")");
  GENINT_CHECK(max_batch > 0, "IncrementalPca: max_batch must be positive, got " + std::to_string(max_batch));
  const int stack_capacity = tracked_ + max_batch_ + 1;
  mean_.assign(static_cast<std::size_t>(dimension_), 0.0);
  squared_deviation_.assign(static_cast<std::size_t>(dimension_), 0.0);
  batch_mean_.assign(static_cast<std::size_t>(dimension_), 0.0);
  basis_.assign(product(tracked_, dimension_), 0.0);
  singular_values_.assign(static_cast<std::size_t>(tracked_), 0.0);
  stacked_.assign(product(stack_capacity, dimension_), 0.0);
  gram_.assign(product(stack_capacity, stack_capacity), 0.0);
  projection_.assign(product(tracked_, stack_capacity), 0.0);
}

void IncrementalPca::add_batch(const float* rows, int count) {
  GENINT_CHECK(rows != nullptr, "IncrementalPca::add_batch: rows is null");
  GENINT_CHECK(count >= 1 && count <= max_batch_, "IncrementalPca::add_batch: batch of " + std::to_string(count) +
                                                      " rows outside [1, " + std::to_string(max_batch_) + "]");
  stack_rows(rows, count, batch_mean_);
  const int stacked_rows = basis_rows_ + count + (seen_ > 0 ? 1 : 0);
  update_moments(rows, count, batch_mean_);
  update_basis(stacked_rows);
}

void IncrementalPca::stack_rows(const float* rows, int count, std::vector<double>& batch_mean) {
  const auto width = static_cast<std::size_t>(dimension_);
  std::fill(batch_mean.begin(), batch_mean.end(), 0.0);
  for (int row = 0; row < count; ++row) {
    const float* source = rows + product(row, dimension_);
    for (std::size_t column = 0; column < width; ++column) batch_mean[column] += source[column];
  }
  for (double& value : batch_mean) value /= count;
  for (int row = 0; row < basis_rows_; ++row) {
    const double scale = singular_values_[static_cast<std::size_t>(row)];
    const double* source = basis_.data() + product(row, dimension_);
    double* target = stacked_.data() + product(row, dimension_);
    for (std::size_t column = 0; column < width; ++column) target[column] = scale * source[column];
  }
  for (int row = 0; row < count; ++row) {
    const float* source = rows + product(row, dimension_);
    double* target = stacked_.data() + product(basis_rows_ + row, dimension_);
    for (std::size_t column = 0; column < width; ++column) target[column] = source[column] - batch_mean[column];
  }
  if (seen_ > 0) {
    // The old basis is centred on the old mean, the batch on its own: this row restores the scatter between them.
    const double seen = static_cast<double>(seen_);
    const double weight = std::sqrt(seen * count / (seen + count));
    double* target = stacked_.data() + product(basis_rows_ + count, dimension_);
    for (std::size_t column = 0; column < width; ++column)
      target[column] = weight * (mean_[column] - batch_mean[column]);
  }
}

void IncrementalPca::update_moments(const float* rows, int count, const std::vector<double>& batch_mean) {
  const auto width = static_cast<std::size_t>(dimension_);
  const double seen = static_cast<double>(seen_);
  const double total = seen + count;
  for (std::size_t column = 0; column < width; ++column) {
    double batch_squares = 0.0;
    for (int row = 0; row < count; ++row) {
      const double deviation = rows[product(row, dimension_) + column] - batch_mean[column];
      batch_squares += deviation * deviation;
    }
    const double delta = batch_mean[column] - mean_[column];
    squared_deviation_[column] += batch_squares + delta * delta * seen * count / total;
    mean_[column] += delta * count / total;
  }
  seen_ += static_cast<std::uint64_t>(count);
}

void IncrementalPca::update_basis(int stacked_rows) {
  hold_openblas_at_one_thread();
  // Gram = stacked · stackedᵀ; its eigenvectors are the stack's left singular vectors, eigenvalues s².
  cblas_dsyrk(CblasRowMajor, CblasLower, CblasNoTrans, stacked_rows, dimension_, 1.0, stacked_.data(), dimension_, 0.0,
              gram_.data(), stacked_rows);
  const SymmetricEigen eigen = symmetric_eigen(gram_.data(), stacked_rows, "IncrementalPca Gram matrix");
  const double largest = std::sqrt(std::max(eigen.values[0], 0.0));
  int kept = 0;
  for (int index = 0; index < std::min(tracked_, stacked_rows); ++index) {
    const double singular = std::sqrt(std::max(eigen.values[static_cast<std::size_t>(index)], 0.0));
    if (!(singular > kRelativeSingularCutoff * largest)) break;
    // Right singular vector v = stackedᵀ u / s: scale u by 1/s before the product.
    const double* left = eigen.vectors.data() + product(index, stacked_rows);
    double* target = projection_.data() + product(index, stacked_rows);
    for (int row = 0; row < stacked_rows; ++row) target[row] = left[row] / singular;
    singular_values_[static_cast<std::size_t>(index)] = singular;
    ++kept;
  }
  basis_rows_ = kept;
  if (kept == 0) return;
  cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, kept, dimension_, stacked_rows, 1.0, projection_.data(),
              stacked_rows, stacked_.data(), dimension_, 0.0, basis_.data(), dimension_);
  // Re-normalise: round-off in the Gram route leaves rows a few ulps off unit length.
  for (int row = 0; row < kept; ++row) {
    double* vector = basis_.data() + product(row, dimension_);
    const double norm = cblas_dnrm2(dimension_, vector, 1);
    if (norm > 0.0) cblas_dscal(dimension_, 1.0 / norm, vector, 1);
  }
}

void IncrementalPca::check_ready() const {
  GENINT_CHECK(seen_ >= 2, "IncrementalPca: PCA needs at least 2 samples, saw " + std::to_string(seen_));
  GENINT_CHECK(basis_rows_ >= components_, "IncrementalPca: the data has only " + std::to_string(basis_rows_) +
                                               " non-degenerate directions, fewer than the " +
                                               std::to_string(components_) + " components asked for");
}

std::vector<double> IncrementalPca::principal_components() const {
  check_ready();
  return std::vector<double>(basis_.begin(),
                             basis_.begin() + static_cast<std::ptrdiff_t>(product(components_, dimension_)));
}

std::vector<double> IncrementalPca::explained_variance() const {
  check_ready();
  std::vector<double> variance(static_cast<std::size_t>(components_));
  const double divisor = static_cast<double>(seen_ - 1);
  for (std::size_t index = 0; index < variance.size(); ++index) {
    variance[index] = singular_values_[index] * singular_values_[index] / divisor;
  }
  return variance;
}

double IncrementalPca::total_variance() const {
  check_ready();
  double total = 0.0;
  for (double value : squared_deviation_) total += value;
  return total / static_cast<double>(seen_ - 1);
}

}  // namespace genint
