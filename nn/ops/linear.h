// linear: y = x Wᵀ + b over rows of float32 features, and its gradients of x, W and b, as torch.nn.functional.linear.
// Raw-pointer kernels on a shape struct (CPU: cblas_sgemm; CUDA: cuBLAS) and a Tensor layer that dispatches.
#pragma once

#include <cstdint>

#include "nn/tensor/tensor.h"

namespace genint {

// input [rows, in_features]; weight [out_features, in_features]; bias, bias_grad [out_features];
// output [rows, out_features]. All row-major and contiguous.
struct LinearShape {
  int rows = 1, in_features = 1, out_features = 1;
  void validate() const;
};

// ---- CPU (the truth). Gradients are written, not accumulated; bias/bias_grad/input_grad may be null. ----
void linear_forward_cpu(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                        float* output);
void linear_backward_cpu(const LinearShape& shape, const float* input, const float* weight, const float* output_grad,
                         float* input_grad, float* weight_grad, float* bias_grad);

// ---- CUDA (cuBLAS). Device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream). ----
struct LinearCudaOptions {
  void* stream = nullptr;
  // TF32 tensor-core products (10-bit mantissas): ~1e-3 relative error, several times the FP32 rate.
  bool allow_tf32 = false;
  // bf16 tensor-core products (CUBLAS_COMPUTE_32F_FAST_16BF): operands rounded to bf16 (8 significant bits),
  // float32 sums and storage; ~4e-3 relative error per operand. Takes precedence over allow_tf32.
  bool bf16 = false;
};
void linear_forward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                         float* output, const LinearCudaOptions& options);
void linear_backward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* output_grad,
                          float* input_grad, float* weight_grad, float* bias_grad, const LinearCudaOptions& options);

// ---- Tensor layer: float32, contiguous, all on one device; undefined Tensors (Tensor{}) for absent ones. ----
LinearShape linear_shape(const Tensor& input, const Tensor& weight);
void linear_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const LinearCudaOptions& options = {});
void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const LinearCudaOptions& options = {});

}  // namespace genint
