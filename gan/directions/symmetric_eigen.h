// Eigen-decomposition of small dense symmetric matrices in float64 (LAPACK dsyevd from OpenBLAS), the
// building block of the streamed PCA's Gram-matrix SVD, the closed form and the least-squares solve.
#pragma once

#include <vector>

namespace genint {

struct SymmetricEigen {
  int size = 0;
  std::vector<double> values;   // [size], descending
  std::vector<double> vectors;  // [size, size] row-major: row i is the unit eigenvector of values[i]
};

// `matrix` is [size, size] row-major and must be symmetric (only its lower triangle is read).
// Throws genint::Error naming `what` when LAPACK reports a failure to converge.
SymmetricEigen symmetric_eigen(const double* matrix, int size, const char* what);

// Solves (AᵀA) X = B in the least-squares sense with the pseudo-inverse of the symmetric `gram` = AᵀA:
// eigenvalues below relative_cutoff · largest are treated as zero (like LAPACK gelsd's rcond).
// gram [size, size], right_hand_side [size, columns]; returns X [size, columns].
std::vector<double> solve_normal_equations(const std::vector<double>& gram, int size,
                                           const std::vector<double>& right_hand_side, int columns,
                                           double relative_cutoff);

}  // namespace genint
