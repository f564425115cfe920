// gemm_cpu: the one place genint calls cblas_sgemm, so layouts and argument checks live together.
// SingleThreadedBlasScope pins OpenBLAS to one thread while an OpenMP loop owns the cores.
#include <cblas.h>

#include <string>

#include "nn/core/error.h"
#include "nn/ops/gemm.h"

namespace genint {

void gemm_cpu(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
              const float* b, int ldb, float beta, float* c, int ldc) {
  GENINT_CHECK(m >= 0 && n >= 0 && k >= 0, "gemm_cpu: negative size m=" + std::to_string(m) +
                                               " n=" + std::to_string(n) + " k=" + std::to_string(k));
  if (m == 0 || n == 0) return;
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m, n, k,
              alpha, a, lda, b, ldb, beta, c, ldc);
}

SingleThreadedBlasScope::SingleThreadedBlasScope() : previous_threads_(openblas_get_num_threads()) {
  if (previous_threads_ != 1) openblas_set_num_threads(1);
}

SingleThreadedBlasScope::~SingleThreadedBlasScope() {
  if (previous_threads_ != 1) openblas_set_num_threads(previous_threads_);
}

}  // namespace genint
