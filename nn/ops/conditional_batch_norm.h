// BigGAN-deep's class-conditional batch norm (pytorch-pretrained-biggan's BigGANBatchNorm), eval mode, forward:
// out[b,c,s] = (x[b,c,s] − mean[c]) / sqrt(var[c] + eps) · gain[b,c] + bias[b,c].
#pragma once

namespace genint {

// The caller computes gain = 1 + scale(condition) and bias = offset(condition) (two spectrally normalised
// linear layers, batch × channels each) and picks/interpolates the truncation's stored mean and var
// (channels each). Evaluated in torch's order (subtract, divide by the root, multiply, add). output may alias input.
struct ConditionalBatchNormShape {
  int batch = 0;
  int channels = 0;
  int spatial = 0;  // height × width
};

void conditional_batch_norm_forward_cpu(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                        const float* var, const float* gain, const float* bias, float eps,
                                        float* output);
// CUDA twin on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void conditional_batch_norm_forward_cuda(const float* input, const ConditionalBatchNormShape& shape, const float* mean,
                                         const float* var, const float* gain, const float* bias, float eps,
                                         float* output, void* stream);

void check_conditional_batch_norm_shape(const ConditionalBatchNormShape& shape, float eps);

}  // namespace genint
