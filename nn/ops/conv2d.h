// conv2d for NCHW float32 as torch.nn.functional.conv2d: forward, input, weight and bias gradients. Raw-pointer
// kernels on a shape struct (CPU: oneDNN or im2col + sgemm; CUDA: cuDNN) and a Tensor layer that dispatches.
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
// Two backends, chosen once per process by GENINT_CPU_CONV: `onednn` (the default where genint is built with
// oneDNN, PyTorch's own CPU convolution library: its primitives cached per shape and thread count, its scratchpad
// and layout copies in this workspace) or `im2col` (lowering + OpenBLAS sgemm); any other value throws.
// Floats of workspace for `threads` OpenMP threads. im2col: each thread needs one block's lowered matrix and, for
// the weight gradient, a private weight-sized accumulator; the kernels use as many threads as it holds. oneDNN: the
// kernels need the workspace sized for the thread count they run with: omp_get_max_threads(), but 1 when called
// inside an OpenMP parallel region (where oneDNN runs on the calling thread alone).
std::size_t conv2d_cpu_workspace_floats(const Conv2dShape& shape, int threads);
void conv2d_forward_cpu(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                        float* output, float* workspace, std::size_t workspace_floats);
void conv2d_backward_data_cpu(const Conv2dShape& shape, const float* output_grad, const float* weight,
                              float* input_grad, float* workspace, std::size_t workspace_floats);
// bias_grad may be null (no bias).
void conv2d_backward_weight_cpu(const Conv2dShape& shape, const float* input, const float* output_grad,
                                float* weight_grad, float* bias_grad, float* workspace, std::size_t workspace_floats);

// How the products are formed; every field but bf16 applies to CUDA only.
struct Conv2dOptions {
  // TF32 tensor cores for float32 (10-bit mantissa products): ~1e-3 relative error, several times faster.
  bool allow_tf32 = false;
  // bf16 mode: cuDNN convolves bfloat16 operands with float accumulation (tensor cores). An operand given as a
  // bfloat16 tensor is used as it is (weights converted once at load, activations kept in bf16 between layers);
  // a float32 one is rounded into a bf16 copy in the workspace, and a float32 result is widened back. The bias
  // (float32) is added after the bf16 rounding of the sum. Gradients alike, as under torch.autocast(bfloat16).
  // On the CPU: the twin of these roundings around float32 convolutions, the reference the CUDA mode is held to.
  bool bf16 = false;
  // Only algorithms cuDNN reports deterministic (the same bits on every run); may be slower.
  bool deterministic = false;
  // For users that never run a backward pass (generators, style transfer): no backward algorithm is chosen and
  // no backward workspace reserved (cuDNN's may be the largest); a backward pass with these options is refused.
  bool forward_only = false;
};

// ---- CUDA (cuDNN). Tensors in device memory: float32, or in bf16 mode float32 or bfloat16 (the bias and the
// bias gradient float32); work is queued on `stream` (a cudaStream_t, nullptr = default). ----
// Largest workspace any of the three passes (the forward only, with forward_only) needs for this shape (cuDNN's
// own for the chosen algorithms, plus the bf16 operand copies in bf16 mode); chooses and caches the algorithms.
std::size_t conv2d_cuda_workspace_bytes(const Conv2dShape& shape, const Conv2dOptions& options);
void conv2d_forward_cuda(const Conv2dShape& shape, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const Tensor& output, void* workspace, std::size_t workspace_bytes,
                         const Conv2dOptions& options, void* stream);
void conv2d_backward_data_cuda(const Conv2dShape& shape, const Tensor& output_grad, const Tensor& weight,
                               const Tensor& input_grad, void* workspace, std::size_t workspace_bytes,
                               const Conv2dOptions& options, void* stream);
void conv2d_backward_weight_cuda(const Conv2dShape& shape, const Tensor& input, const Tensor& output_grad,
                                 const Tensor& weight_grad, const Tensor& bias_grad, void* workspace,
                                 std::size_t workspace_bytes, const Conv2dOptions& options, void* stream);
std::size_t conv2d_cuda_cached_plans();

// ---- Tensor layer, the dispatch point: checks shapes, dtypes and devices, takes scratch from `scratch` and gives
// it back, runs the CPU kernels (or their bf16 twin) or the cuDNN path on the tensors' device. ----
struct Conv2dParams {
  int stride = 1, padding = 0, dilation = 1, groups = 1;
  bool allow_tf32 = false;     // CUDA only
  void* stream = nullptr;      // CUDA only
  bool bf16 = false;           // Conv2dOptions::bf16 (bfloat16 tensors are accepted only in this mode)
  bool deterministic = false;  // CUDA only: Conv2dOptions::deterministic
  bool forward_only = false;   // Conv2dOptions::forward_only (conv2d_backward refuses such params)
};
Conv2dShape conv2d_shape(const Tensor& input, const Tensor& weight, const Conv2dParams& params);
// bias and bias_grad may be undefined Tensors (Tensor{}); input_grad too (no input gradient).
void conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const Conv2dParams& params, Arena& scratch);
void conv2d_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const Conv2dParams& params, Arena& scratch);
// Bytes of `scratch` one conv2d_forward or conv2d_backward of this shape takes on `device` (for sizing arenas).
std::size_t conv2d_scratch_bytes(Device device, const Conv2dShape& shape, const Conv2dParams& params);
// Number of distinct shapes whose cuDNN algorithms are cached (0 without the CUDA backend; for tests and logs).
std::size_t conv2d_cached_plans();

}  // namespace genint
