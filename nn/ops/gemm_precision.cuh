// The cuBLAS compute type for GEMMs on float32 storage, by MatmulPrecision. Internal to .cu files (it names cuBLAS
// types); linear.cu and batched_gemm.cu share it so both read the precision the same way.
#pragma once

#include <cublas_v2.h>

#include "nn/ops/gemm.h"

namespace genint {

// FAST_16BF: cuBLAS rounds both operands to bf16 (8 significant bits) and sums the exact products in float32,
// on bf16 tensor cores; FAST_TF32 rounds to 11 bits. bf16 wins when both are asked.
inline cublasComputeType_t matmul_compute_type(const MatmulPrecision& precision) {
  if (precision.bf16) return CUBLAS_COMPUTE_32F_FAST_16BF;
  return precision.allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

}  // namespace genint
