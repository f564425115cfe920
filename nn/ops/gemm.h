// Row-major single-precision GEMM on the CPU (OpenBLAS cblas_sgemm) shared by conv2d, linear and the PCA, and how
// CUDA matmuls form their products. OpenBLAS runs on one thread (process-wide, see gemm_cpu.cpp); OpenMP splits.
#pragma once

namespace genint {

// How the products of a CUDA matrix multiply (linear, batched GEMM) are formed; the CPU sums float32 products.
struct MatmulPrecision {
  // TF32 tensor-core products (10-bit mantissas): ~1e-3 relative error, several times the FP32 rate.
  bool allow_tf32 = false;
  // bf16 tensor-core products (CUBLAS_COMPUTE_32F_FAST_16BF): operands rounded to bf16 (8 significant bits),
  // float32 sums and storage; ~4e-3 relative error per operand. Takes precedence over allow_tf32.
  bool bf16 = false;
};

// C[m×n] = alpha · op(A) · op(B) + beta · C, all row-major; op(X) is X or Xᵀ.
// lda/ldb/ldc are the row strides of A, B, C as stored. Outside an OpenMP region, a large product is split into
// fixed-width column blocks over OpenMP's threads: the result depends on the shape only, not on the threads.
void gemm_cpu(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float* a, int lda,
              const float* b, int ldb, float beta, float* c, int ldc);

// Makes sure OpenBLAS uses one thread before an OpenMP loop of ours calls gemm_cpu from each of its threads
// (Debian's pthread OpenBLAS would otherwise start its own pool from inside each and oversubscribe the cores).
// It does not restore the old count: toggling that process-wide setting made products nondeterministic.
class SingleThreadedBlasScope {
 public:
  SingleThreadedBlasScope();
  ~SingleThreadedBlasScope();
  SingleThreadedBlasScope(const SingleThreadedBlasScope&) = delete;
  SingleThreadedBlasScope& operator=(const SingleThreadedBlasScope&) = delete;
};

}  // namespace genint
