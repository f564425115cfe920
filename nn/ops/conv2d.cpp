// conv2d's dispatch point: the Tensor layer checks shapes, dtypes and devices, takes scratch from the arena and
// runs the CPU kernels (float32, or the bf16 twin: the CUDA mode's roundings around float32 sums) or cuDNN.
#include "nn/ops/conv2d.h"

#include <cstring>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d_cpu_backends.h"

namespace genint {

Conv2dShape conv2d_shape(const Tensor& input, const Tensor& weight, const Conv2dParams& params) {
  GENINT_CHECK(input.rank() == 4 && weight.rank() == 4, "conv2d: input " + input.shape().to_string() + " and weight " +
                                                            weight.shape().to_string() + " must both be rank 4");
  Conv2dShape shape;
  shape.batch = static_cast<int>(input.size(0));
  shape.in_channels = static_cast<int>(input.size(1));
  shape.in_height = static_cast<int>(input.size(2));
  shape.in_width = static_cast<int>(input.size(3));
  shape.out_channels = static_cast<int>(weight.size(0));
  shape.kernel_height = static_cast<int>(weight.size(2));
  shape.kernel_width = static_cast<int>(weight.size(3));
  shape.stride_height = shape.stride_width = params.stride;
  shape.pad_height = shape.pad_width = params.padding;
  shape.dilation_height = shape.dilation_width = params.dilation;
  shape.groups = params.groups;
  shape.validate();
  GENINT_CHECK(weight.size(1) * params.groups == input.size(1),
               "conv2d: weight " + weight.shape().to_string() + " with groups=" + std::to_string(params.groups) +
                   " does not match input channels " + std::to_string(input.size(1)));
  return shape;
}

namespace {

Shape output_shape(const Conv2dShape& shape) {
  return Shape{shape.batch, shape.out_channels, shape.out_height(), shape.out_width()};
}

// A defined tensor must be contiguous, on the input's device, of its expected shape and float32, or bfloat16 where
// `bf16_allowed` (bf16 mode).
void expect_operand(const char* what, const Tensor& tensor, const Shape& shape, Device device, bool bf16_allowed) {
  if (!tensor.defined()) return;
  const DType dtype = bf16_allowed && tensor.dtype() == DType::BFloat16 ? DType::BFloat16 : DType::Float32;
  tensor.expect(what, shape, dtype, device);
  GENINT_CHECK(tensor.is_contiguous(), std::string("conv2d: ") + what + " must be contiguous");
}

Conv2dOptions options_of(const Conv2dParams& params) {
  return {params.allow_tf32, params.bf16, params.deterministic, params.forward_only};
}

std::size_t float_bytes(std::int64_t count) {
  return Arena::round_up(static_cast<std::size_t>(count) * sizeof(float));
}

// ---- The CPU twin of the CUDA bf16 mode: the same roundings (each operand to bf16 before the convolution, its
// result after it), float32 arithmetic in between, the bias and its gradient in float32. ----

// The float32 values cuDNN convolves: a bfloat16 tensor widened, a float32 one rounded to bf16 (a scratch copy).
const float* bf16_operand(const Tensor& tensor, Arena& scratch) {
  const std::int64_t count = tensor.element_count();
  auto* copy = static_cast<float*>(scratch.allocate_bytes(static_cast<std::size_t>(count) * sizeof(float)));
  if (tensor.dtype() == DType::BFloat16) {
    bfloat16_to_float_cpu(tensor.data<std::uint16_t>(), count, copy);
  } else {
    std::memcpy(copy, tensor.data<float>(), static_cast<std::size_t>(count) * sizeof(float));
    round_to_bfloat16_cpu(copy, count);
  }
  return copy;
}

// Where a result is summed in float32: the tensor itself, or a scratch array when it stores bfloat16.
float* result_buffer(const Tensor& tensor, Arena& scratch) {
  if (tensor.dtype() == DType::Float32) return tensor.data<float>();
  return static_cast<float*>(scratch.allocate_bytes(static_cast<std::size_t>(tensor.element_count()) * sizeof(float)));
}

// A bfloat16 tensor receives the float32 result rounded; a float32 one already holds it.
void store_result(const float* values, const Tensor& tensor) {
  if (tensor.dtype() == DType::BFloat16)
    float_to_bfloat16_cpu(values, tensor.element_count(), tensor.data<std::uint16_t>());
}

void add_bias_cpu(const Conv2dShape& shape, const float* bias, float* output) {
  const std::int64_t plane = static_cast<std::int64_t>(shape.out_height()) * shape.out_width();
  for (std::int64_t image = 0; image < shape.batch; ++image)
    for (std::int64_t channel = 0; channel < shape.out_channels; ++channel) {
      float* values = output + (image * shape.out_channels + channel) * plane;
      for (std::int64_t index = 0; index < plane; ++index) values[index] += bias[channel];
    }
}

// The CPU kernels' workspace for this call, from the arena.
struct CpuWorkspace {
  CpuWorkspace(const Conv2dShape& shape, Arena& scratch)
      : floats(conv2d_cpu_workspace_floats(shape, cpu_conv_threads())),
        data(static_cast<float*>(scratch.allocate_bytes(floats * sizeof(float)))) {}
  std::size_t floats;
  float* data;
};

void forward_cpu(const Conv2dShape& shape, const Tensor& input, const Tensor& weight, const Tensor& bias,
                 const Tensor& output, bool bf16, Arena& scratch) {
  const CpuWorkspace workspace(shape, scratch);
  if (!bf16)
    return conv2d_forward_cpu(shape, input.data<float>(), weight.data<float>(), bias.data_or_null<float>(),
                              output.data<float>(), workspace.data, workspace.floats);
  const float* rounded_input = bf16_operand(input, scratch);
  const float* rounded_weight = bf16_operand(weight, scratch);
  float* result = result_buffer(output, scratch);
  conv2d_forward_cpu(shape, rounded_input, rounded_weight, nullptr, result, workspace.data, workspace.floats);
  round_to_bfloat16_cpu(result, shape.output_elements());
  if (bias.defined()) add_bias_cpu(shape, bias.data<float>(), result);
  store_result(result, output);  // a bfloat16 output rounds the biased sum once more, as the CUDA path does
}

void backward_cpu(const Conv2dShape& shape, const Tensor& input, const Tensor& weight, const Tensor& output_grad,
                  const Tensor& input_grad, const Tensor& weight_grad, const Tensor& bias_grad, bool bf16,
                  Arena& scratch) {
  const CpuWorkspace workspace(shape, scratch);
  if (!bf16) {
    if (input_grad.defined())
      conv2d_backward_data_cpu(shape, output_grad.data<float>(), weight.data<float>(), input_grad.data<float>(),
                               workspace.data, workspace.floats);
    return conv2d_backward_weight_cpu(shape, input.data<float>(), output_grad.data<float>(), weight_grad.data<float>(),
                                      bias_grad.data_or_null<float>(), workspace.data, workspace.floats);
  }
  const float* rounded_output_grad = bf16_operand(output_grad, scratch);
  if (input_grad.defined()) {
    const float* rounded_weight = bf16_operand(weight, scratch);
    float* result = result_buffer(input_grad, scratch);
    conv2d_backward_data_cpu(shape, rounded_output_grad, rounded_weight, result, workspace.data, workspace.floats);
    round_to_bfloat16_cpu(result, shape.input_elements());
    store_result(result, input_grad);
  }
  const float* rounded_input = bf16_operand(input, scratch);
  float* result = result_buffer(weight_grad, scratch);
  conv2d_backward_weight_cpu(shape, rounded_input, rounded_output_grad, result, nullptr, workspace.data,
                             workspace.floats);
  round_to_bfloat16_cpu(result, shape.weight_elements());
  store_result(result, weight_grad);
  if (bias_grad.defined()) conv2d_bias_grad_cpu(shape, output_grad.data<float>(), bias_grad.data<float>());
}

}  // namespace

void conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const Conv2dParams& params, Arena& scratch) {
  const Conv2dShape shape = conv2d_shape(input, weight, params);
  const Device device = input.device();
  expect_operand("conv2d input", input, input.shape(), device, params.bf16);
  expect_operand("conv2d weight", weight, weight.shape(), device, params.bf16);
  expect_operand("conv2d bias", bias, Shape{shape.out_channels}, device, false);
  GENINT_CHECK(output.defined(), "conv2d: output is undefined");
  expect_operand("conv2d output", output, output_shape(shape), device, params.bf16);
  GENINT_CHECK(scratch.device() == device, "conv2d: scratch arena is on another device than the input");
  const ArenaScope scope(scratch);
  if (device == Device::Cpu) return forward_cpu(shape, input, weight, bias, output, params.bf16, scratch);
  const std::size_t bytes = conv2d_scratch_bytes(device, shape, params);
  GENINT_CUDA_CALL(conv2d_forward_cuda, shape, input, weight, bias, output, scratch.allocate_bytes(bytes), bytes,
                   options_of(params), params.stream);
}

void conv2d_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const Conv2dParams& params, Arena& scratch) {
  const Conv2dShape shape = conv2d_shape(input, weight, params);
  const Device device = input.device();
  expect_operand("conv2d input", input, input.shape(), device, params.bf16);
  expect_operand("conv2d weight", weight, weight.shape(), device, params.bf16);
  GENINT_CHECK(output_grad.defined() && weight_grad.defined(), "conv2d: output_grad and weight_grad are required");
  GENINT_CHECK(!params.forward_only, "conv2d_backward: the params say forward_only (no backward algorithm chosen)");
  // The bias gradient sums the float32 output gradient (it belongs to the float32 bias add).
  expect_operand("conv2d output_grad", output_grad, output_shape(shape), device, params.bf16 && !bias_grad.defined());
  expect_operand("conv2d input_grad", input_grad, input.shape(), device, params.bf16);
  expect_operand("conv2d weight_grad", weight_grad, weight.shape(), device, params.bf16);
  expect_operand("conv2d bias_grad", bias_grad, Shape{shape.out_channels}, device, false);
  GENINT_CHECK(scratch.device() == device, "conv2d: scratch arena is on another device than the input");
  const ArenaScope scope(scratch);
  if (device == Device::Cpu)
    return backward_cpu(shape, input, weight, output_grad, input_grad, weight_grad, bias_grad, params.bf16, scratch);
  const std::size_t bytes = conv2d_scratch_bytes(device, shape, params);
  void* workspace = scratch.allocate_bytes(bytes);
  if (input_grad.defined())
    GENINT_CUDA_CALL(conv2d_backward_data_cuda, shape, output_grad, weight, input_grad, workspace, bytes,
                     options_of(params), params.stream);
  GENINT_CUDA_CALL(conv2d_backward_weight_cuda, shape, input, output_grad, weight_grad, bias_grad, workspace, bytes,
                   options_of(params), params.stream);
}

std::size_t conv2d_scratch_bytes(Device device, const Conv2dShape& shape, const Conv2dParams& params) {
  if (device == Device::Cuda) return GENINT_CUDA_CALL(conv2d_cuda_workspace_bytes, shape, options_of(params));
  std::size_t bytes = float_bytes(static_cast<std::int64_t>(conv2d_cpu_workspace_floats(shape, cpu_conv_threads())));
  // The bf16 twin's float32 copies: at most two input-, two weight- and one output-sized (the backward's).
  if (params.bf16)
    bytes += 2 * float_bytes(shape.input_elements()) + 2 * float_bytes(shape.weight_elements()) +
             float_bytes(shape.output_elements());
  return bytes;
}

std::size_t conv2d_cached_plans() {
#if GENINT_WITH_CUDA
  return conv2d_cuda_cached_plans();
#else
  return 0;  // no CUDA backend, no cuDNN plans
#endif
}

}  // namespace genint
