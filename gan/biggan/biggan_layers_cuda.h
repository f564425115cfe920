// CUDA twins of BigGAN-deep's private layer pieces (biggan_layers.h) and the self-attention matmuls, on
// device pointers queued on `stream` (a cudaStream_t; nullptr = default stream). No CUDA headers here.
#pragma once

#include <cstdint>

#include "gan/biggan/biggan_layers.h"
#include "nn/ops/linear.h"

namespace genint {

// As biggan_features_to_nchw: features [batch, size, size, channels] → output [batch, channels, size, size].
void biggan_features_to_nchw_cuda(const float* features, int batch, int channels, int size, float* output,
                                  void* stream);
// As biggan_add_skip: output[b, c, y, x] += skip[b, c, y / factor, x / factor] for c < output_channels.
void biggan_add_skip_cuda(const float* skip, const SkipShape& shape, float* output, void* stream);
// As biggan_add_scaled: activations[i] += gamma · attention_out[i].
void biggan_add_scaled_cuda(const float* attention_out, float gamma, std::int64_t count, float* activations,
                            void* stream);
// values[i] = constant + values[i] (the conditional norm's gain = 1 + scale(condition), in the CPU's order).
void biggan_add_constant_cuda(float* values, float constant, std::int64_t count, void* stream);

// Per image (cuBLAS strided batched GEMM): scores [positions, pooled] = thetaᵀ · phi, with theta
// [key_channels, positions] and phi [key_channels, pooled], all row-major.
struct BigGanAttentionShape {
  int batch = 0, key_channels = 0, value_channels = 0, positions = 0, pooled = 0;
};
// `gemm` gives the stream and how the products are formed (float32, TF32 or bf16), as for linear_forward_cuda.
void biggan_attention_scores_cuda(const BigGanAttentionShape& shape, const float* theta, const float* phi,
                                  float* scores, const LinearCudaOptions& gemm);
// Per image: output [value_channels, positions] = g · attentionᵀ, with g [value_channels, pooled] and attention
// [positions, pooled] (the softmaxed scores), all row-major.
void biggan_attention_values_cuda(const BigGanAttentionShape& shape, const float* g, const float* attention,
                                  float* output, const LinearCudaOptions& gemm);

}  // namespace genint
