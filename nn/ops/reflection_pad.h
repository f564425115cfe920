// Reflection padding of NCHW planes (torch's ReflectionPad2d): the border mirrors the interior without
// repeating the edge pixel, so each pad must be smaller than the dimension it pads.
#pragma once

#include <cstdint>

#include "nn/ops/op_target.h"

namespace genint {

struct ReflectionPadShape {
  std::int64_t planes = 0;  // batch × channels
  int height = 0;
  int width = 0;
  int left = 0;
  int right = 0;
  int top = 0;
  int bottom = 0;

  int output_height() const { return height + top + bottom; }
  int output_width() const { return width + left + right; }
};

// Throws genint::Error naming the pad that is negative or not smaller than its dimension.
void check_reflection_pad_shape(const ReflectionPadShape& shape);

// output: planes × output_height × output_width.
void reflection_pad_forward_cpu(const float* input, const ReflectionPadShape& shape, float* output);
// CUDA twin on device pointers, queued on `stream` (a cudaStream_t; nullptr = default stream).
void reflection_pad_forward_cuda(const float* input, const ReflectionPadShape& shape, float* output, void* stream);

// Dispatch point: the CPU function, or its CUDA twin on target.stream.
void reflection_pad_forward(const OpTarget& target, const float* input, const ReflectionPadShape& shape, float* output);

}  // namespace genint
