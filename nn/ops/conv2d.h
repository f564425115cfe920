// conv2d for NCHW float32: forward, input gradient, weight (and bias) gradient, as torch.nn.functional.conv2d.
// Raw-pointer kernels on a shape struct (CPU: im2col + sgemm; CUDA: cuDNN) and a Tensor layer that dispatches.
#pragma once

#include <cstddef>
#include <cstdint>

#include "nn/tensor/arena.h"
#include "nn/tensor/tensor.h"

namespace genint {

// input [batch, in_channels, in_height, in_width]; weight [out_channels, in_channels/groups, kernel_height,
// kernel_width]; output [batch, out_channels, out_height, out_width]; bias [out_channels].
struct Conv2dShape {
  int batch = 1, in_channels = 1, in_height = 1, in_width = 1;
  int out_channels = 1, kernel_height = 1, kernel_width = 1;
  int stride_height = 1, stride_width = 1;
  int pad_height = 0, pad_width = 0;
  int dilation_height = 1, dilation_width = 1;
  int groups = 1;

  int out_height() const;
  int out_width() const;
  std::int64_t input_elements() const;
  std::int64_t weight_elements() const;
  std::int64_t output_elements() const;
  // Throws genint::Error naming the first field that makes the convolution impossible.
  void validate() const;
};

// ---- CPU (the truth). Gradients are written, not accumulated. Workspace: caller-owned floats. ----
// Floats of workspace for `threads` OpenMP threads (each needs one image's im2col matrix and, for the
// weight gradient, a private weight-sized accumulator). The kernels use as many threads as it holds.
std::size_t conv2d_cpu_workspace_floats(const Conv2dShape& shape, int threads);
void conv2d_forward_cpu(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                        float* output, float* workspace, std::size_t workspace_floats);
void conv2d_backward_data_cpu(const Conv2dShape& shape, const float* output_grad, const float* weight,
                              float* input_grad, float* workspace, std::size_t workspace_floats);
// bias_grad may be null (no bias).
void conv2d_backward_weight_cpu(const Conv2dShape& shape, const float* input, const float* output_grad,
                                float* weight_grad, float* bias_grad, float* workspace, std::size_t workspace_floats);

// ---- CUDA (cuDNN). Device pointers; work is queued on `stream` (a cudaStream_t, nullptr = default). ----
struct Conv2dCudaOptions {
  void* stream = nullptr;
  // TF32 tensor cores for float32 (10-bit mantissa products): ~1e-3 relative error, several times faster.
  bool allow_tf32 = false;
  // bf16: the float32 operands are rounded to bfloat16 (8 significant bits) in the workspace, cuDNN convolves
  // bf16 tensors with float accumulation (tensor cores), and the bf16 result is widened back into the float32
  // output; the bias (if any) is added in float32. Gradients alike: the weight gradient is bf16-rounded, as under
  // torch.autocast(dtype=torch.bfloat16). Pointers and workspace sizes stay as in float32 mode.
  bool bf16 = false;
};
// Largest workspace any of the three passes needs for this shape (cuDNN's, plus the bf16 operand copies in bf16
// mode); chooses and caches the algorithms.
std::size_t conv2d_cuda_workspace_bytes(const Conv2dShape& shape, const Conv2dCudaOptions& options);
void conv2d_forward_cuda(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                         float* output, void* workspace, std::size_t workspace_bytes, const Conv2dCudaOptions& options);
void conv2d_backward_data_cuda(const Conv2dShape& shape, const float* output_grad, const float* weight,
                               float* input_grad, void* workspace, std::size_t workspace_bytes,
                               const Conv2dCudaOptions& options);
void conv2d_backward_weight_cuda(const Conv2dShape& shape, const float* input, const float* output_grad,
                                 float* weight_grad, float* bias_grad, void* workspace, std::size_t workspace_bytes,
                                 const Conv2dCudaOptions& options);
// Number of distinct shapes whose algorithms are cached (for tests and logs).
std::size_t conv2d_cuda_cached_plans();

// ---- Tensor layer: checks shapes, dtypes and devices, takes scratch from `scratch` and gives it back. ----
struct Conv2dParams {
  int stride = 1, padding = 0, dilation = 1, groups = 1;
  bool allow_tf32 = false;  // CUDA only
  void* stream = nullptr;   // CUDA only
  // CUDA: Conv2dCudaOptions::bf16. CPU: its twin (the same bf16 roundings of operands and results around
  // float32 convolutions), the reference the CUDA bf16 mode is tested against.
  bool bf16 = false;
};
Conv2dShape conv2d_shape(const Tensor& input, const Tensor& weight, const Conv2dParams& params);
// bias and bias_grad may be undefined Tensors (Tensor{}).
void conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const Conv2dParams& params, Arena& scratch);
void conv2d_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const Conv2dParams& params, Arena& scratch);

}  // namespace genint
