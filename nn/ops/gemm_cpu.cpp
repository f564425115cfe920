// gemm_cpu: the one place genint calls cblas_sgemm, so layouts, argument checks and threading live together.
// OpenBLAS always computes on one thread here; genint's own OpenMP splits large products into fixed column blocks.
#include <cblas.h>
#include <omp.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/gemm.h"

namespace genint {
namespace {

// Column blocks are a fixed width, so how a product is split depends on its shape, never on how many threads run.
constexpr int kColumnBlock = 256;
// Below this many multiply-adds a product is not worth a parallel region (about 0.1 ms of one core).
constexpr std::int64_t kParallelMinimum = std::int64_t{1} << 22;

void sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
           const float* b, int ldb, float beta, float* c, int ldc) {
  cblas_sgemm(CblasRowMajor, transpose_a ? CblasTrans : CblasNoTrans, transpose_b ? CblasTrans : CblasNoTrans, m, n, k,
              alpha, a, lda, b, ldb, beta, c, ldc);
}

}  // namespace

void gemm_cpu(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
              const float* b, int ldb, float beta, float* c, int ldc) {
  GENINT_CHECK(m >= 0 && n >= 0 && k >= 0, "gemm_cpu: negative size m=" + std::to_string(m) +
                                               " n=" + std::to_string(n) + " k=" + std::to_string(k));
  if (m == 0 || n == 0) return;
  hold_openblas_at_one_thread();
  const std::int64_t work = static_cast<std::int64_t>(m) * n * std::max(k, 1);
  const int blocks = (n + kColumnBlock - 1) / kColumnBlock;
  if (blocks < 2 || work < kParallelMinimum || omp_in_parallel() || omp_get_max_threads() < 2) {
    sgemm(transpose_a, transpose_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
#pragma omp parallel for schedule(dynamic)
  for (int block = 0; block < blocks; ++block) {
    const int first = block * kColumnBlock, width = std::min(kColumnBlock, n - first);
    // Columns [first, first + width) of C need the same columns of op(B): B's columns, or Bᵀ's, which are B's rows.
    const float* b_block = transpose_b ? b + static_cast<std::int64_t>(first) * ldb : b + first;
    sgemm(transpose_a, transpose_b, m, width, k, alpha, a, lda, b_block, ldb, beta, c + first, ldc);
  }
}

// Why one OpenBLAS thread, always: OpenBLAS's thread count is one setting for the whole process, and a product
// computed on 1 or on 2 of its threads can differ in the last bit. While one producer thread held it at 1 for a
// convolution and restored 2 after, another thread's products ran on 1 or 2 threads by chance, and the loader's
// deterministic mode gave a different generated pixel once in four runs (InterventionLoader test, 2 producers).
// Setting it to 1 and never restoring it makes every product's arithmetic depend on its shape alone.
void hold_openblas_at_one_thread() {
  if (openblas_get_num_threads() != 1) openblas_set_num_threads(1);
}

}  // namespace genint
