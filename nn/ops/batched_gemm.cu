// CUDA batched GEMM: one cublasGemmStridedBatchedEx. A row-major C = op(A)·op(B) is the column-major
// Cᵀ = op(B)ᵀ·op(A)ᵀ, and row-major memory read column-major is the transpose: so B goes first, with the same flags.
#include "nn/core/cuda_check.h"
#include "nn/ops/batched_gemm.h"
#include "nn/ops/gemm_precision.cuh"
#include "nn/ops/library_handles.cuh"

namespace genint {

void batched_gemm_cuda(const BatchedGemmShape& shape, const float* a, const float* b, float* c,
                       const MatmulPrecision& precision, void* stream) {
  shape.validate();
  if (shape.m == 0 || shape.n == 0 || shape.batch == 0) return;
  const float one = 1.0f, zero = 0.0f;
  GENINT_CUBLAS_CHECK(cublasGemmStridedBatchedEx(
      cublas_handle_on(stream), shape.transpose_b ? CUBLAS_OP_T : CUBLAS_OP_N,
      shape.transpose_a ? CUBLAS_OP_T : CUBLAS_OP_N, shape.n, shape.m, shape.k, &one, b, CUDA_R_32F, shape.ldb,
      shape.stride_b, a, CUDA_R_32F, shape.lda, shape.stride_a, &zero, c, CUDA_R_32F, shape.ldc, shape.stride_c,
      shape.batch, matmul_compute_type(precision), CUBLAS_GEMM_DEFAULT));
}

}  // namespace genint
