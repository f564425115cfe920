// Strided batched GEMM on row-major float32 matrices: C_i = op(A_i) · op(B_i) for i < batch, A_i = a + i·stride_a
// (B and C alike). BigGAN's self-attention runs its per-image score and value products through it.
#pragma once

#include <cstdint>

#include "nn/ops/gemm.h"
#include "nn/ops/op_target.h"

namespace genint {

struct BatchedGemmShape {
  bool transpose_a = false, transpose_b = false;
  int m = 0, n = 0, k = 0;                                // op(A_i) is m × k, op(B_i) k × n, C_i m × n
  int lda = 0, ldb = 0, ldc = 0;                          // row strides as stored
  std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // elements between consecutive matrices
  int batch = 0;
  void validate() const;
};

// CPU: one gemm_cpu per matrix (OpenBLAS threads each).
void batched_gemm_cpu(const BatchedGemmShape& shape, const float* a, const float* b, float* c);
// CUDA: one cublasGemmStridedBatchedEx on device pointers, queued on `stream` (a cudaStream_t; nullptr = default).
void batched_gemm_cuda(const BatchedGemmShape& shape, const float* a, const float* b, float* c,
                       const MatmulPrecision& precision, void* stream);
// Dispatch point: the CPU loop or cuBLAS on the target's stream.
void batched_gemm(const OpTarget& target, const BatchedGemmShape& shape, const float* a, const float* b, float* c,
                  const MatmulPrecision& precision = {});

}  // namespace genint
