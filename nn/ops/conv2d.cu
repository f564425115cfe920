// CUDA conv2d passes on the cached cuDNN plans (conv2d_plan.cu). In bf16 mode an operand given as a bfloat16
// tensor goes to cuDNN as it is; a float32 one is rounded into its workspace copy, and a float32 result widened back.
#include <cuda_bf16.h>

#include <algorithm>
#include <cstdint>
#include <string>

#include "nn/core/cuda_check.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/conv2d_plan.cuh"
#include "nn/ops/library_handles.cuh"

namespace genint {
namespace {

using conv2d_detail::ConvPlan;

constexpr int kBiasThreads = 256;

// output[image, channel, s] = bf16(float(output[…]) + bias[channel]): one grid row per (image, channel) plane, so the
// channel comes from one division per block, not one per element.
__global__ void add_bias_bfloat16_kernel(__nv_bfloat16* output, const float* bias, int channels, int plane_size) {
  const std::int64_t plane = blockIdx.x;
  const float value = bias[plane % channels];
  __nv_bfloat16* values = output + plane * plane_size;
  for (int index = static_cast<int>(blockIdx.y * blockDim.x + threadIdx.x); index < plane_size;
       index += static_cast<int>(gridDim.y * blockDim.x))
    values[index] = __float2bfloat16_rn(__bfloat162float(values[index]) + value);
}

void add_bias_bfloat16(const Conv2dShape& shape, const float* bias, std::uint16_t* output, void* stream) {
  const int plane_size = shape.out_height() * shape.out_width();
  const dim3 grid(static_cast<unsigned>(static_cast<std::int64_t>(shape.batch) * shape.out_channels),
                  static_cast<unsigned>(std::min((plane_size + kBiasThreads - 1) / kBiasThreads, 1024)));
  add_bias_bfloat16_kernel<<<grid, kBiasThreads, 0, static_cast<cudaStream_t>(stream)>>>(
      reinterpret_cast<__nv_bfloat16*>(output), bias, shape.out_channels, plane_size);
  GENINT_CUDA_CHECK_LAUNCH();
}

const ConvPlan& checked_plan_for(const Conv2dShape& shape, const Conv2dOptions& options, std::size_t workspace_bytes) {
  const ConvPlan& plan = conv2d_detail::plan_for(shape, options);
  GENINT_CHECK(workspace_bytes >= plan.workspace_bytes,
               "conv2d: workspace of " + std::to_string(workspace_bytes) + " bytes, the chosen algorithms need " +
                   std::to_string(plan.workspace_bytes) + " (size it with conv2d_cuda_workspace_bytes)");
  return plan;
}

// The three operand roles; each pass reads two of them and writes the third.
enum class Operand { Input, Weight, Output };

// What every pass starts from: the shape's plan (the caller's workspace checked against it), this thread's cuDNN
// handle for the current device on the caller's stream, and where each operand lives for cuDNN: the caller's
// tensor, or (bf16 mode, float32 tensor) its bf16 copy in the workspace. read() queues the rounding of a float32
// operand into its copy; finish() widens a result written into a copy back into the float32 tensor.
class ConvPass {
 public:
  ConvPass(const Conv2dShape& shape, const Conv2dOptions& options, void* workspace, std::size_t workspace_bytes,
           void* stream)
      : plan_(checked_plan_for(shape, options, workspace_bytes)),
        handle_(cudnn_handle_on(stream)),
        workspace_(workspace),
        stream_(stream) {}

  const ConvPlan& plan() const { return plan_; }
  cudnnHandle_t handle() const { return handle_; }

  const void* read(Operand operand, const Tensor& tensor) const {
    if (!needs_copy(tensor)) return tensor.raw_data();
    std::uint16_t* copy = copy_of(operand);
    float_to_bfloat16_cuda(tensor.data<float>(), tensor.element_count(), copy, stream_);
    return copy;
  }
  void* write(Operand operand, const Tensor& tensor) const {
    return needs_copy(tensor) ? static_cast<void*>(copy_of(operand)) : tensor.raw_data();
  }
  void finish(Operand operand, const Tensor& tensor) const {
    if (needs_copy(tensor))
      bfloat16_to_float_cuda(copy_of(operand), tensor.element_count(), tensor.data<float>(), stream_);
  }

 private:
  bool needs_copy(const Tensor& tensor) const { return plan_.bf16 && tensor.dtype() == DType::Float32; }
  std::uint16_t* copy_of(Operand operand) const {
    const std::size_t offset = operand == Operand::Input    ? plan_.input_copy_offset
                               : operand == Operand::Weight ? plan_.weight_copy_offset
                                                            : plan_.output_copy_offset;
    return reinterpret_cast<std::uint16_t*>(static_cast<std::uint8_t*>(workspace_) + offset);
  }

  const ConvPlan& plan_;
  cudnnHandle_t handle_;
  void* workspace_;
  void* stream_;
};

}  // namespace

std::size_t conv2d_cuda_workspace_bytes(const Conv2dShape& shape, const Conv2dOptions& options) {
  return conv2d_detail::plan_for(shape, options).workspace_bytes;
}

std::size_t conv2d_cuda_cached_plans() {
  return conv2d_detail::cached_plans();
}

void conv2d_forward_cuda(const Conv2dShape& shape, const Tensor& input, const Tensor& weight, const Tensor& bias,
                         const Tensor& output, void* workspace, std::size_t workspace_bytes,
                         const Conv2dOptions& options, void* stream) {
  const ConvPass pass(shape, options, workspace, workspace_bytes, stream);
  const ConvPlan& plan = pass.plan();
  const void* x = pass.read(Operand::Input, input);
  const void* w = pass.read(Operand::Weight, weight);
  void* y = pass.write(Operand::Output, output);
  const float one = 1.0f, zero = 0.0f;
  GENINT_CUDNN_CHECK(cudnnConvolutionForward(pass.handle(), &one, plan.input.get(), x, plan.filter.get(), w,
                                             plan.forward_convolution.get(), plan.forward_algorithm, workspace,
                                             plan.cudnn_workspace_bytes, &zero, plan.output.get(), y));
  pass.finish(Operand::Output, output);
  if (!bias.defined()) return;
  // The bias is added to the bf16-rounded sum in float32, as the CPU twin does.
  if (output.dtype() == DType::BFloat16)
    return add_bias_bfloat16(shape, bias.data<float>(), output.data<std::uint16_t>(), stream);
  GENINT_CUDNN_CHECK(cudnnAddTensor(pass.handle(), &one, plan.bias.get(), bias.raw_data(), &one,
                                    plan.output_float.get(), output.raw_data()));
}

void conv2d_backward_data_cuda(const Conv2dShape& shape, const Tensor& output_grad, const Tensor& weight,
                               const Tensor& input_grad, void* workspace, std::size_t workspace_bytes,
                               const Conv2dOptions& options, void* stream) {
  GENINT_CHECK(!options.forward_only, "conv2d backward data: the options say forward_only");
  const ConvPass pass(shape, options, workspace, workspace_bytes, stream);
  const ConvPlan& plan = pass.plan();
  const void* w = pass.read(Operand::Weight, weight);
  const void* dy = pass.read(Operand::Output, output_grad);
  void* dx = pass.write(Operand::Input, input_grad);
  const float one = 1.0f, zero = 0.0f;
  GENINT_CUDNN_CHECK(cudnnConvolutionBackwardData(pass.handle(), &one, plan.filter.get(), w, plan.output.get(), dy,
                                                  plan.data_convolution.get(), plan.data_algorithm, workspace,
                                                  plan.cudnn_workspace_bytes, &zero, plan.input.get(), dx));
  pass.finish(Operand::Input, input_grad);
}

void conv2d_backward_weight_cuda(const Conv2dShape& shape, const Tensor& input, const Tensor& output_grad,
                                 const Tensor& weight_grad, const Tensor& bias_grad, void* workspace,
                                 std::size_t workspace_bytes, const Conv2dOptions& options, void* stream) {
  GENINT_CHECK(!options.forward_only, "conv2d backward filter: the options say forward_only");
  const ConvPass pass(shape, options, workspace, workspace_bytes, stream);
  const ConvPlan& plan = pass.plan();
  const void* x = pass.read(Operand::Input, input);
  const void* dy = pass.read(Operand::Output, output_grad);
  void* dw = pass.write(Operand::Weight, weight_grad);
  const float one = 1.0f, zero = 0.0f;
  // beta = 0: gradients are written, not accumulated, as on the CPU (an empty batch is refused here: plan_for).
  GENINT_CUDNN_CHECK(cudnnConvolutionBackwardFilter(pass.handle(), &one, plan.input.get(), x, plan.output.get(), dy,
                                                    plan.filter_convolution.get(), plan.filter_algorithm, workspace,
                                                    plan.cudnn_workspace_bytes, &zero, plan.filter.get(), dw));
  pass.finish(Operand::Weight, weight_grad);
  // The bias gradient sums the float32 output gradient (no rounding), as the float32 bias add it belongs to.
  if (bias_grad.defined())
    GENINT_CUDNN_CHECK(cudnnConvolutionBackwardBias(pass.handle(), &one, plan.output_float.get(),
                                                    output_grad.raw_data(), &zero, plan.bias.get(),
                                                    bias_grad.raw_data()));
}

}  // namespace genint
