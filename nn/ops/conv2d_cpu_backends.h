// The CPU conv2d's two backends behind conv2d.h's raw-pointer kernels: im2col + OpenBLAS sgemm (always built) and
// oneDNN (PyTorch's own CPU convolution library, when built with it); GENINT_CPU_CONV picks one. Internal to nn/ops.
#pragma once

#include <cstddef>

#include "nn/ops/conv2d.h"

namespace genint {

enum class CpuConvBackend { Im2col, OneDnn };

// GENINT_CPU_CONV's value (null or empty: the default, oneDNN where built) as a backend; any other value, or
// "onednn" in a build without oneDNN, throws genint::Error naming the variable and what it accepts.
CpuConvBackend parse_cpu_conv_backend(const char* value);
// The backend the raw-pointer kernels use: GENINT_CPU_CONV read once per process.
CpuConvBackend cpu_conv_backend();
bool cpu_conv_onednn_built();
// The threads the CPU kernels run on, which their workspace is sized and checked for: OpenMP's limit, but 1 inside
// a parallel region, where oneDNN runs on the calling thread alone (as do im2col's nested, inactive regions).
int cpu_conv_threads();
// bias_grad[c] = the sum of output_grad's channel c over the batch, accumulated in double (batch·H·W terms: large
// maps lose nothing), in the same order on every backend that does not sum it itself.
void conv2d_bias_grad_cpu(const Conv2dShape& shape, const float* output_grad, float* bias_grad);

// Each backend's kernels, with conv2d.h's contracts (gradients written, not accumulated; the workspace sized by the
// same backend's workspace_floats for at least the threads OpenMP will use).
namespace conv2d_im2col {
std::size_t workspace_floats(const Conv2dShape& shape, int threads);
void forward(const Conv2dShape& shape, const float* input, const float* weight, const float* bias, float* output,
             float* workspace, std::size_t workspace_floats);
void backward_data(const Conv2dShape& shape, const float* output_grad, const float* weight, float* input_grad,
                   float* workspace, std::size_t workspace_floats);
void backward_weight(const Conv2dShape& shape, const float* input, const float* output_grad, float* weight_grad,
                     float* bias_grad, float* workspace, std::size_t workspace_floats);
}  // namespace conv2d_im2col

namespace conv2d_onednn {
std::size_t workspace_floats(const Conv2dShape& shape, int threads);
void forward(const Conv2dShape& shape, const float* input, const float* weight, const float* bias, float* output,
             float* workspace, std::size_t workspace_floats);
void backward_data(const Conv2dShape& shape, const float* output_grad, const float* weight, float* input_grad,
                   float* workspace, std::size_t workspace_floats);
void backward_weight(const Conv2dShape& shape, const float* input, const float* output_grad, float* weight_grad,
                     float* bias_grad, float* workspace, std::size_t workspace_floats);
// Distinct (shape, threads, bias) plans built so far (for tests and logs).
std::size_t cached_plans();
}  // namespace conv2d_onednn

}  // namespace genint
