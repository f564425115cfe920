// The cuBLAS compute type for GEMMs on float32 storage, by precision option. Internal to .cu files (it names
// cuBLAS types); linear.cu and gan/biggan's attention share it so both read the options the same way.
#pragma once

#include <cublas_v2.h>

namespace genint {

// FAST_16BF: cuBLAS rounds both operands to bf16 (8 significant bits) and sums the exact products in float32,
// on bf16 tensor cores; FAST_TF32 rounds to 11 bits. bf16 wins when both are asked.
inline cublasComputeType_t linear_compute_type(bool allow_tf32, bool bf16) {
  if (bf16) return CUBLAS_COMPUTE_32F_FAST_16BF;
  return allow_tf32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
}

}  // namespace genint
