// What cuDNN needs to run one conv2d shape: descriptors, an algorithm and math type per pass, and the workspace
// layout. Built once per (shape, options, device) and cached. Internal to conv2d's .cu files (names cuDNN types).
#pragma once

#include <cudnn.h>

#include <cstddef>

#include "nn/core/cuda_check.h"
#include "nn/ops/conv2d.h"

namespace genint::conv2d_detail {

// An owned cuDNN descriptor: made by Create, given back by Destroy (logged, never thrown); the subclasses set it up.
template <typename Handle, cudnnStatus_t (*Create)(Handle*), cudnnStatus_t (*Destroy)(Handle)>
class Descriptor {
 public:
  Descriptor() { GENINT_CUDNN_CHECK(Create(&handle_)); }
  ~Descriptor() { GENINT_CUDNN_CHECK_NOTHROW(Destroy(handle_)); }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  Handle get() const { return handle_; }

 private:
  Handle handle_ = nullptr;
};

struct TensorDescriptor
    : Descriptor<cudnnTensorDescriptor_t, cudnnCreateTensorDescriptor, cudnnDestroyTensorDescriptor> {
  TensorDescriptor(int n, int c, int h, int w, cudnnDataType_t type);
};

struct FilterDescriptor
    : Descriptor<cudnnFilterDescriptor_t, cudnnCreateFilterDescriptor, cudnnDestroyFilterDescriptor> {
  FilterDescriptor(const Conv2dShape& shape, cudnnDataType_t type);
};

// One per pass, because each pass may run with its own math type. The compute type is float in both modes.
struct ConvolutionDescriptor
    : Descriptor<cudnnConvolutionDescriptor_t, cudnnCreateConvolutionDescriptor, cudnnDestroyConvolutionDescriptor> {
  explicit ConvolutionDescriptor(const Conv2dShape& shape);
  void set_math(cudnnMathType_t math);
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
