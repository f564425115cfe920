// Dispatch file for conv2d: the Tensor layer (checks, scratch from the arena, CPU or CUDA kernels)
// and, in a CPU-only build, CUDA entry points that say why they cannot run.
#include <omp.h>

#include <cstring>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void cuda_backend_absent(const char* function) {
  throw Error(std::string(function) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

std::size_t conv2d_cuda_workspace_bytes(const Conv2dShape&, const Conv2dCudaOptions&) {
  cuda_backend_absent("conv2d_cuda_workspace_bytes");
}
void conv2d_forward_cuda(const Conv2dShape&, const float*, const float*, const float*, float*, void*, std::size_t,
                         const Conv2dCudaOptions&) {
  cuda_backend_absent("conv2d_forward_cuda");
}
void conv2d_backward_data_cuda(const Conv2dShape&, const float*, const float*, float*, void*, std::size_t,
                               const Conv2dCudaOptions&) {
  cuda_backend_absent("conv2d_backward_data_cuda");
}
void conv2d_backward_weight_cuda(const Conv2dShape&, const float*, const float*, float*, float*, void*, std::size_t,
                                 const Conv2dCudaOptions&) {
  cuda_backend_absent("conv2d_backward_weight_cuda");
}
std::size_t conv2d_cuda_cached_plans() {
  return 0;
}
#endif

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

// Every defined tensor must be contiguous float32 on the input's device, and have its expected shape.
void expect_optional(const char* what, const Tensor& tensor, const Shape& shape, Device device) {
  if (!tensor.defined()) return;
  tensor.expect(what, shape, DType::Float32, device);
  GENINT_CHECK(tensor.is_contiguous(), std::string("conv2d: ") + what + " must be contiguous");
}

float* optional_data(const Tensor& tensor) {
  return tensor.defined() ? tensor.data<float>() : nullptr;
}

Conv2dCudaOptions cuda_options(const Conv2dParams& params) {
  return {params.stream, params.allow_tf32, params.bf16};
}

// Scratch for one call: taken from the arena and given back when the call returns.
class ScratchScope {
 public:
  explicit ScratchScope(Arena& arena) : arena_(arena), mark_(arena.mark()) {}
  ~ScratchScope() { arena_.rewind(mark_); }
  ScratchScope(const ScratchScope&) = delete;
  ScratchScope& operator=(const ScratchScope&) = delete;

 private:
  Arena& arena_;
  Arena::Mark mark_;
};

// ---- The CPU twin of the CUDA bf16 mode: the same roundings (each operand to bf16 before the convolution, its
// result after it), float32 arithmetic in between, the bias and its gradient in float32. ----
const float* rounded_copy(const float* values, std::int64_t count, Arena& scratch) {
  auto* copy = static_cast<float*>(scratch.allocate_bytes(static_cast<std::size_t>(count) * sizeof(float)));
  std::memcpy(copy, values, static_cast<std::size_t>(count) * sizeof(float));
  round_to_bfloat16_cpu(copy, count);
  return copy;
}

void add_bias_cpu(const Conv2dShape& shape, const float* bias, float* output) {
  const std::int64_t plane = static_cast<std::int64_t>(shape.out_height()) * shape.out_width();
  for (std::int64_t image = 0; image < shape.batch; ++image)
    for (std::int64_t channel = 0; channel < shape.out_channels; ++channel) {
      float* values = output + (image * shape.out_channels + channel) * plane;
      for (std::int64_t index = 0; index < plane; ++index) values[index] += bias[channel];
    }
}

void bias_grad_cpu(const Conv2dShape& shape, const float* output_grad, float* bias_grad) {
  const std::int64_t plane = static_cast<std::int64_t>(shape.out_height()) * shape.out_width();
  for (std::int64_t channel = 0; channel < shape.out_channels; ++channel) {
    double sum = 0.0;
    for (std::int64_t image = 0; image < shape.batch; ++image) {
      const float* values = output_grad + (image * shape.out_channels + channel) * plane;
      for (std::int64_t index = 0; index < plane; ++index) sum += values[index];
    }
    bias_grad[channel] = static_cast<float>(sum);
  }
}

void conv2d_forward_bf16_twin(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                              float* output, float* workspace, std::size_t workspace_floats, Arena& scratch) {
  const float* rounded_input = rounded_copy(input, shape.input_elements(), scratch);
  const float* rounded_weight = rounded_copy(weight, shape.weight_elements(), scratch);
  conv2d_forward_cpu(shape, rounded_input, rounded_weight, nullptr, output, workspace, workspace_floats);
  round_to_bfloat16_cpu(output, shape.output_elements());
  if (bias != nullptr) add_bias_cpu(shape, bias, output);
}

void conv2d_backward_bf16_twin(const Conv2dShape& shape, const float* input, const float* weight,
                               const float* output_grad, float* input_grad, float* weight_grad, float* bias_grad,
                               float* workspace, std::size_t workspace_floats, Arena& scratch) {
  const float* rounded_output_grad = rounded_copy(output_grad, shape.output_elements(), scratch);
  if (input_grad != nullptr) {
    const float* rounded_weight = rounded_copy(weight, shape.weight_elements(), scratch);
    conv2d_backward_data_cpu(shape, rounded_output_grad, rounded_weight, input_grad, workspace, workspace_floats);
    round_to_bfloat16_cpu(input_grad, shape.input_elements());
  }
  const float* rounded_input = rounded_copy(input, shape.input_elements(), scratch);
  conv2d_backward_weight_cpu(shape, rounded_input, rounded_output_grad, weight_grad, nullptr, workspace,
                             workspace_floats);
  round_to_bfloat16_cpu(weight_grad, shape.weight_elements());
  if (bias_grad != nullptr) bias_grad_cpu(shape, output_grad, bias_grad);
}

}  // namespace

void conv2d_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const Conv2dParams& params, Arena& scratch) {
  const Conv2dShape shape = conv2d_shape(input, weight, params);
  const Device device = input.device();
  expect_optional("conv2d input", input, input.shape(), device);
  expect_optional("conv2d weight", weight, weight.shape(), device);
  expect_optional("conv2d bias", bias, Shape{shape.out_channels}, device);
  output.expect("conv2d output", output_shape(shape), DType::Float32, device);
  GENINT_CHECK(scratch.device() == device, "conv2d: scratch arena is on another device than the input");
  const ScratchScope scope(scratch);
  if (device == Device::Cpu) {
    const std::size_t floats = conv2d_cpu_workspace_floats(shape, omp_get_max_threads());
    float* workspace = static_cast<float*>(scratch.allocate_bytes(floats * sizeof(float)));
    if (params.bf16)
      conv2d_forward_bf16_twin(shape, input.data<float>(), weight.data<float>(), optional_data(bias),
                               output.data<float>(), workspace, floats, scratch);
    else
      conv2d_forward_cpu(shape, input.data<float>(), weight.data<float>(), optional_data(bias), output.data<float>(),
                         workspace, floats);
  } else {
    const std::size_t bytes = conv2d_cuda_workspace_bytes(shape, cuda_options(params));
    conv2d_forward_cuda(shape, input.data<float>(), weight.data<float>(), optional_data(bias), output.data<float>(),
                        scratch.allocate_bytes(bytes), bytes, cuda_options(params));
  }
}

void conv2d_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const Conv2dParams& params, Arena& scratch) {
  const Conv2dShape shape = conv2d_shape(input, weight, params);
  const Device device = input.device();
  expect_optional("conv2d input", input, input.shape(), device);
  expect_optional("conv2d weight", weight, weight.shape(), device);
  output_grad.expect("conv2d output_grad", output_shape(shape), DType::Float32, device);
  expect_optional("conv2d input_grad", input_grad, input.shape(), device);
  weight_grad.expect("conv2d weight_grad", weight.shape(), DType::Float32, device);
  expect_optional("conv2d bias_grad", bias_grad, Shape{shape.out_channels}, device);
  GENINT_CHECK(scratch.device() == device, "conv2d: scratch arena is on another device than the input");
  const ScratchScope scope(scratch);
  if (device == Device::Cpu) {
    const std::size_t floats = conv2d_cpu_workspace_floats(shape, omp_get_max_threads());
    float* workspace = static_cast<float*>(scratch.allocate_bytes(floats * sizeof(float)));
    if (params.bf16)
      return conv2d_backward_bf16_twin(shape, input.data<float>(), weight.data<float>(), output_grad.data<float>(),
                                       optional_data(input_grad), weight_grad.data<float>(), optional_data(bias_grad),
                                       workspace, floats, scratch);
    if (input_grad.defined())
      conv2d_backward_data_cpu(shape, output_grad.data<float>(), weight.data<float>(), input_grad.data<float>(),
                               workspace, floats);
    conv2d_backward_weight_cpu(shape, input.data<float>(), output_grad.data<float>(), weight_grad.data<float>(),
                               optional_data(bias_grad), workspace, floats);
  } else {
    const std::size_t bytes = conv2d_cuda_workspace_bytes(shape, cuda_options(params));
    void* workspace = scratch.allocate_bytes(bytes);
    if (input_grad.defined())
      conv2d_backward_data_cuda(shape, output_grad.data<float>(), weight.data<float>(), input_grad.data<float>(),
                                workspace, bytes, cuda_options(params));
    conv2d_backward_weight_cuda(shape, input.data<float>(), output_grad.data<float>(), weight_grad.data<float>(),
                                optional_data(bias_grad), workspace, bytes, cuda_options(params));
  }
}

}  // namespace genint
