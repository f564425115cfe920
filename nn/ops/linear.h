// linear: y = x Wᵀ + b over rows of float32 features, and its gradients of x, W and b, as torch.nn.functional.linear.
// Raw-pointer kernels on a shape struct (CPU: cblas_sgemm; CUDA: cuBLAS) and a Tensor layer that dispatches.
#pragma once

#include <cstdint>

#include "nn/ops/gemm.h"
#include "nn/ops/op_target.h"
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
void linear_forward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* bias,
                         float* output, const MatmulPrecision& precision, void* stream);
void linear_backward_cuda(const LinearShape& shape, const float* input, const float* weight, const float* output_grad,
                          float* input_grad, float* weight_grad, float* bias_grad, const MatmulPrecision& precision,
                          void* stream);

// ---- Dispatch point on pointers of the target's device: the CPU functions or their cuBLAS twins. ----
void linear_forward(const OpTarget& target, const LinearShape& shape, const float* input, const float* weight,
                    const float* bias, float* output, const MatmulPrecision& precision = {});
void linear_backward(const OpTarget& target, const LinearShape& shape, const float* input, const float* weight,
                     const float* output_grad, float* input_grad, float* weight_grad, float* bias_grad,
                     const MatmulPrecision& precision = {});

// ---- Tensor layer: float32, contiguous, all on one device; undefined Tensors (Tensor{}) for absent ones. CUDA
// work is queued on `stream`. ----
LinearShape linear_shape(const Tensor& input, const Tensor& weight);
void linear_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const MatmulPrecision& precision = {}, void* stream = nullptr);
void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const MatmulPrecision& precision = {},
                     void* stream = nullptr);

}  // namespace genint
