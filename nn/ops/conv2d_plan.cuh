// What cuDNN needs to run one conv2d shape: descriptors, an algorithm and math type per pass, and the workspace
// layout. Built once per (shape, options, device) and cached. Internal to conv2d's .cu files (names cuDNN types).
#pragma once

#include <cudnn.h>

#include <cstddef>

#include "nn/ops/conv2d.h"

namespace genint::conv2d_detail {

class TensorDescriptor {
 public:
  TensorDescriptor(int n, int c, int h, int w, cudnnDataType_t type);
  ~TensorDescriptor();
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return handle_; }

 private:
  cudnnTensorDescriptor_t handle_ = nullptr;
};

class FilterDescriptor {
 public:
  FilterDescriptor(const Conv2dShape& shape, cudnnDataType_t type);
  ~FilterDescriptor();
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  cudnnFilterDescriptor_t get() const { return handle_; }

 private:
  cudnnFilterDescriptor_t handle_ = nullptr;
};

// One per pass, because each pass may run with its own math type. The compute type is float in both modes.
class ConvolutionDescriptor {
 public:
  explicit ConvolutionDescriptor(const Conv2dShape& shape);
  ~ConvolutionDescriptor();
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return handle_; }
  void set_math(cudnnMathType_t math);

 private:
  cudnnConvolutionDescriptor_t handle_ = nullptr;
};

// input, output and filter describe what cuDNN convolves (bf16 in bf16 mode); output_float and bias describe the
// float32 output a bias is added to (and its gradient taken from).
struct ConvPlan {
  ConvPlan(const Conv2dShape& shape, bool bf16_mode);
  cudnnDataType_t convolved_type() const { return bf16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT; }
  bool bf16;
  TensorDescriptor input, output, output_float, bias;
  FilterDescriptor filter;
  ConvolutionDescriptor forward_convolution, data_convolution, filter_convolution;
  cudnnConvolutionFwdAlgo_t forward_algorithm{};
  cudnnConvolutionBwdDataAlgo_t data_algorithm{};
  cudnnConvolutionBwdFilterAlgo_t filter_algorithm{};
  std::size_t cudnn_workspace_bytes = 0;  // cuDNN's scratch for the chosen algorithms, at the workspace's start
  // bf16 mode: offsets of the bf16 copies of an input-, weight- and output-sized float32 operand (each pass reads
  // or writes one of each: x, w, y forward; dx, w, dy backward data; x, dw, dy backward filter).
  std::size_t input_copy_offset = 0, weight_copy_offset = 0, output_copy_offset = 0;
  std::size_t workspace_bytes = 0;  // everything the caller provides
};

// The cached plan of this shape and options on the current device (chosen on first use; never evicted, so the
// reference stays valid). Throws genint::Error when cuDNN offers no algorithm that passes the filters.
const ConvPlan& plan_for(const Conv2dShape& shape, const Conv2dOptions& options);
std::size_t cached_plans();

}  // namespace genint::conv2d_detail
