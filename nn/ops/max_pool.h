// 2-D max pooling over NCHW (torch's MaxPool2d, dilation 1, ceil_mode off or on), keeping the argmax of every
// window for the backward pass. Padding counts as −inf, so a padded cell never wins; NaN wins, as in torch.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

struct MaxPoolShape {
  int batch = 0;
  int channels = 0;
  int height = 0;
  int width = 0;
  int kernel = 3;  // ResNet's stem: 3×3, stride 2, padding 1
  int stride = 2;
  int padding = 1;
  // torch's ceil_mode: a last, partial window covers the cells a floor would drop (VGG's pools in AdaIN), unless
  // it would start in the right/bottom padding. The kernels clip every window to the plane, so only sizes change.
  bool ceil_mode = false;

  int output_height() const { return output_size(height); }
  int output_width() const { return output_size(width); }
  // torch's pooling_output_shape with dilation 1.
  int output_size(int input) const {
    const int span = input + 2 * padding - kernel;
    int size = (ceil_mode ? (span + stride - 1) / stride : span / stride) + 1;
    if (ceil_mode && (size - 1) * stride >= input + padding) --size;
    return size;
  }
};

// Throws genint::Error unless the shape is valid (positive sizes, padding ≤ kernel/2, as torch requires).
void check_max_pool_shape(const MaxPoolShape& shape);

// output and argmax: batch × channels × output_height × output_width; argmax holds the winner's index within
// its input plane (y·width + x), as torch's indices.
void max_pool_forward_cpu(const float* input, const MaxPoolShape& shape, float* output, std::int32_t* argmax);
// grad_input (batch × channels × height × width) is overwritten: each input cell receives the sum of the
// gradients of the windows it won, added in output row-major order (the CUDA twin uses the same order).
void max_pool_backward_cpu(const float* grad_output, const std::int32_t* argmax, const MaxPoolShape& shape,
                           float* grad_input);

// CUDA twins on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
// The backward gathers per input cell (no atomics), so it is deterministic and bit-identical to the CPU.
void max_pool_forward_cuda(const float* input, const MaxPoolShape& shape, float* output, std::int32_t* argmax,
                           void* stream);
void max_pool_backward_cuda(const float* grad_output, const std::int32_t* argmax, const MaxPoolShape& shape,
                            float* grad_input, void* stream);

// Dispatch point: the CPU functions, or their CUDA twins on target.stream.
void max_pool_forward(const OpTarget& target, const float* input, const MaxPoolShape& shape, float* output,
                      std::int32_t* argmax);
void max_pool_backward(const OpTarget& target, const float* grad_output, const std::int32_t* argmax,
                       const MaxPoolShape& shape, float* grad_input);

}  // namespace genint
