// dsyevd (divide and conquer) through its Fortran entry point, which Debian's OpenBLAS exports; there is no
// LAPACKE header on the build machines, so the prototype is declared here with gfortran's hidden lengths.
#include "gan/directions/symmetric_eigen.h"

#include <algorithm>
#include <cstddef>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/gemm.h"

extern "C" void dsyevd_(const char* jobz, const char* uplo, const int* n, double* a, const int* lda, double* w,
                        double* work, const int* lwork, int* iwork, const int* liwork, int* info,
                        std::size_t jobz_length, std::size_t uplo_length);

namespace genint {

SymmetricEigen symmetric_eigen(const double* matrix, int size, const char* what) {
  GENINT_CHECK(size > 0, std::string(what) + ": eigen-decomposition of an empty matrix");
  hold_openblas_at_one_thread();
  const auto count = static_cast<std::size_t>(size);
  GENINT_CHECK(matrix != nullptr, std::string(what) + ": matrix is null");
  // LAPACK is column-major: our row-major lower triangle is its upper triangle, and the eigenvector it
  // stores in column i lands in our row i.
  SymmetricEigen result;
  result.size = size;
  std::vector<double> work_matrix(matrix, matrix + count * count);
  std::vector<double> ascending(count);
  const char jobz = 'V';
  const char uplo = 'U';
  int info = 0;
  int query_lwork = -1;
  int query_liwork = -1;
  double work_size = 0.0;
  int iwork_size = 0;
  dsyevd_(&jobz, &uplo, &size, work_matrix.data(), &size, ascending.data(), &work_size, &query_lwork, &iwork_size,
          &query_liwork, &info, 1, 1);
  GENINT_CHECK(info == 0, std::string(what) + ": dsyevd workspace query failed, info " + std::to_string(info));
  const int lwork = static_cast<int>(work_size) + 1;
  const int liwork = iwork_size;
  std::vector<double> work(static_cast<std::size_t>(lwork));
  std::vector<int> iwork(static_cast<std::size_t>(std::max(liwork, 1)));
  dsyevd_(&jobz, &uplo, &size, work_matrix.data(), &size, ascending.data(), work.data(), &lwork, iwork.data(), &liwork,
          &info, 1, 1);
  GENINT_CHECK(info == 0, std::string(what) + ": dsyevd did not converge, info " + std::to_string(info));
  result.values.resize(count);
  result.vectors.resize(count * count);
  for (std::size_t rank = 0; rank < count; ++rank) {
    const std::size_t source = count - 1 - rank;
    result.values[rank] = ascending[source];
    std::copy_n(work_matrix.begin() + static_cast<std::ptrdiff_t>(source * count), count,
                result.vectors.begin() + static_cast<std::ptrdiff_t>(rank * count));
  }
  return result;
}

std::vector<double> solve_normal_equations(const std::vector<double>& gram, int size,
                                           const std::vector<double>& right_hand_side, int columns,
                                           double relative_cutoff) {
  const auto rows = static_cast<std::size_t>(size);
  const auto width = static_cast<std::size_t>(columns);
  GENINT_CHECK(right_hand_side.size() == rows * width, "solve_normal_equations: right-hand side is not size x columns");
  GENINT_CHECK(gram.size() == rows * rows, "solve_normal_equations: gram is not size x size");
  const SymmetricEigen eigen = symmetric_eigen(gram.data(), size, "least-squares normal equations");
  const double cutoff = std::max(eigen.values[0], 0.0) * relative_cutoff;
  // X = V diag(1/λ) Vᵀ B over the eigenvalues above the cutoff.
  std::vector<double> solution(rows * width, 0.0);
  std::vector<double> projected(width);
  for (std::size_t component = 0; component < rows; ++component) {
    const double value = eigen.values[component];
    if (!(value > cutoff) || value <= 0.0) continue;
    const double* vector = eigen.vectors.data() + component * rows;
    std::fill(projected.begin(), projected.end(), 0.0);
    for (std::size_t row = 0; row < rows; ++row) {
      for (std::size_t column = 0; column < width; ++column)
        projected[column] += vector[row] * right_hand_side[row * width + column];
    }
    for (std::size_t row = 0; row < rows; ++row) {
      const double weight = vector[row] / value;
      for (std::size_t column = 0; column < width; ++column)
        solution[row * width + column] += weight * projected[column];
    }
  }
  return solution;
}

}  // namespace genint
