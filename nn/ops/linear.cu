// CUDA linear: the three GEMMs through cublasGemmEx (FP32, or TF32 / bf16 tensor cores when asked) and two
// small kernels for the bias. Row-major tensors are read by cuBLAS as their column-major transposes.
#include "nn/core/cuda_check.h"
#include "nn/ops/elementwise_launch.cuh"
#include "nn/ops/gemm_precision.cuh"
#include "nn/ops/library_handles.cuh"
#include "nn/ops/linear.h"

namespace genint {
namespace {

// Column-major C[m×n] = op(A) · op(B) in float32 storage; `precision` chooses how the products are formed.
void gemm(cublasHandle_t handle, cublasOperation_t op_a, cublasOperation_t op_b, int m, int n, int k, const float* a,
          int lda, const float* b, int ldb, float* c, int ldc, const MatmulPrecision& precision) {
  const float one = 1.0f, zero = 0.0f;
  const cublasComputeType_t compute = matmul_compute_type(precision);
  GENINT_CUBLAS_CHECK(cublasGemmEx(handle, op_a, op_b, m, n, k, &one, a, CUDA_R_32F, lda, b, CUDA_R_32F, ldb, &zero, c,
                                   CUDA_R_32F, ldc, compute, CUBLAS_GEMM_DEFAULT));
}

__global__ void add_bias_kernel(float* output, const float* bias, std::int64_t total, int features) {
  const std::int64_t index = flat_thread_index();
  if (index < total) output[index] += bias[index % features];
}

// One thread per feature walks down the rows; neighbouring threads read neighbouring addresses.
__global__ void bias_grad_kernel(const float* output_grad, float* bias_grad, int rows, int features) {
  const int feature = static_cast<int>(blockIdx.x * blockDim.x + threadIdx.x);
  if (feature >= features) return;
  float sum = 0.0f;
  for (int row = 0; row < rows; ++row) sum += output_grad[static_cast<std::int64_t>(row) * features + feature];
  bias_grad[feature] = sum;
}

}  // namespace

void linear_forward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                         float* output, const MatmulPrecision& precision, void* stream) {
  shape.validate();
  if (shape.rows == 0) return;
  // yᵀ (out×rows, column-major) = W (as its transpose in memory) · xᵀ.
  gemm(cublas_handle_on(stream), CUBLAS_OP_T, CUBLAS_OP_N, shape.out_features, shape.rows, shape.in_features, weight,
       shape.in_features, input, shape.in_features, output, shape.out_features, precision);
  if (bias == nullptr) return;
  const std::int64_t total = static_cast<std::int64_t>(shape.rows) * shape.out_features;
  launch_elementwise(add_bias_kernel, total, stream, output, bias, total, shape.out_features);
}

void linear_backward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* output_grad,
                          float* input_grad, float* weight_grad, float* bias_grad, const MatmulPrecision& precision,
                          void* stream) {
  shape.validate();
  cublasHandle_t handle = cublas_handle_on(stream);
  if (input_grad != nullptr && shape.rows > 0)  // dxᵀ (in×rows) = Wᵀ-in-memory · dyᵀ
    gemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, shape.in_features, shape.rows, shape.out_features, weight, shape.in_features,
         output_grad, shape.out_features, input_grad, shape.in_features, precision);
  // dWᵀ (in×out) = xᵀ · dy; with rows = 0 cuBLAS writes beta·C = 0, matching the CPU.
  gemm(handle, CUBLAS_OP_N, CUBLAS_OP_T, shape.in_features, shape.out_features, shape.rows, input, shape.in_features,
       output_grad, shape.out_features, weight_grad, shape.in_features, precision);
  if (bias_grad != nullptr)
    launch_elementwise(bias_grad_kernel, shape.out_features, stream, output_grad, bias_grad, shape.rows,
                       shape.out_features);
}

}  // namespace genint
