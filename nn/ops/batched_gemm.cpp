// Batched GEMM's shape checks, CPU loop and dispatch point.
#include "nn/ops/batched_gemm.h"

#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"

namespace genint {

void BatchedGemmShape::validate() const {
  GENINT_CHECK(m >= 0 && n >= 0 && k >= 0 && batch >= 0 && stride_a >= 0 && stride_b >= 0 && stride_c >= 0,
               "batched_gemm: negative size m=" + std::to_string(m) + " n=" + std::to_string(n) +
                   " k=" + std::to_string(k) + " batch=" + std::to_string(batch));
  // Row-major: a row holds op's columns unless transposed.
  GENINT_CHECK(
      lda >= (transpose_a ? m : k) && ldb >= (transpose_b ? k : n) && ldc >= n && lda > 0 && ldb > 0 && ldc > 0,
      "batched_gemm: row strides lda=" + std::to_string(lda) + " ldb=" + std::to_string(ldb) +
          " ldc=" + std::to_string(ldc) + " are too small for m=" + std::to_string(m) + " n=" + std::to_string(n) +
          " k=" + std::to_string(k));
}

void batched_gemm_cpu(const BatchedGemmShape& shape, const float* a, const float* b, float* c) {
  shape.validate();
  for (int index = 0; index < shape.batch; ++index)
    gemm_cpu(shape.transpose_a, shape.transpose_b, shape.m, shape.n, shape.k, 1.0f, a + index * shape.stride_a,
             shape.lda, b + index * shape.stride_b, shape.ldb, 0.0f, c + index * shape.stride_c, shape.ldc);
}

void batched_gemm(const OpTarget& target, const BatchedGemmShape& shape, const float* a, const float* b, float* c,
                  const MatmulPrecision& precision) {
  if (target.on_cpu()) return batched_gemm_cpu(shape, a, b, c);
  GENINT_CUDA_CALL(batched_gemm_cuda, shape, a, b, c, precision, target.stream);
}

}  // namespace genint
