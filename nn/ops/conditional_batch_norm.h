// BigGAN-deep's class-conditional batch norm (pytorch-pretrained-biggan's BigGANBatchNorm), eval mode, forward:
// out[b,c,s] = (x[b,c,s] − mean[c]) / sqrt(var[c] + eps) · gain[b,c] + bias[b,c], optionally followed by ReLU.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

// The caller computes gain = 1 + scale(condition) and bias = offset(condition) (two spectrally normalised
// linear layers, batch × channels each) and picks/interpolates the truncation's stored mean and var
// (channels each). Evaluated in torch's order (subtract, divide by the root, multiply, add). output may alias input.
struct ConditionalBatchNormShape {
  int batch = 0;
  int channels = 0;
  int spatial = 0;  // height × width
};

// The per-channel statistics and per-sample affine of one call (float32, on the call's device).
struct ConditionalBatchNormParameters {
  const float* mean = nullptr;
  const float* var = nullptr;
  const float* gain = nullptr;
  const float* bias = nullptr;
  float eps = 0.0f;   // must be set: positive
  bool relu = false;  // max(·, 0) on the result: BigGAN's bn → relu, fused on CUDA
};

void conditional_batch_norm_forward_cpu(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                        const float* var, const float* gain, const float* bias, float eps,
                                        float* output);
void check_conditional_batch_norm_shape(const ConditionalBatchNormShape& shape, float eps);

// CUDA, on device pointers queued on `stream` (a cudaStream_t; nullptr = default stream): float32 values, or
// bfloat16 ones (their bit patterns) read and written around float32 arithmetic (the output rounded to nearest
// even), so bf16 activations stay bf16 between layers.
void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, float* output, void* stream);
void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, std::uint16_t* output,
                                         void* stream);
void conditional_batch_norm_forward_cuda(const std::uint16_t* input, const ConditionalBatchNormShape& shape,
                                         const ConditionalBatchNormParameters& parameters, std::uint16_t* output,
                                         void* stream);

// Dispatch point. float32: the CPU function then (relu) relu_forward_cpu in place, or one fused CUDA kernel.
// bfloat16 storage is a CUDA mode (the CPU twins keep bf16 values in float32): on a CPU target it throws.
void conditional_batch_norm_forward(const OpTarget& target, const float* input, const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, float* output);
void conditional_batch_norm_forward(const OpTarget& target, const float* input, const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, std::uint16_t* output);
void conditional_batch_norm_forward(const OpTarget& target, const std::uint16_t* input,
                                    const ConditionalBatchNormShape& shape,
                                    const ConditionalBatchNormParameters& parameters, std::uint16_t* output);

}  // namespace genint
