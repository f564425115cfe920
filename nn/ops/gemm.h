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

// Sets OpenBLAS to one thread, process-wide, and never restores it: every genint entry into OpenBLAS (sgemm here,
// the float64 BLAS and LAPACK of direction discovery) calls this first. Toggling that one process-wide setting made
// products nondeterministic; its own pool, inside our OpenMP loops, would oversubscribe the cores; and its threads
// synchronise in ways ThreadSanitizer cannot see. Large products are split by gemm_cpu over OpenMP instead.
void hold_openblas_at_one_thread();

}  // namespace genint
