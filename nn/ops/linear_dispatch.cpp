// Dispatch file for linear: the Tensor layer (checks, then CPU or CUDA kernels) and, in a CPU-only
// build, CUDA entry points that say why they cannot run.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/linear.h"

namespace genint {

#if !GENINT_WITH_CUDA
void linear_forward_cuda(const LinearShape&, const float*, const float*, const float*, float*,
                         const LinearCudaOptions&) {
  throw Error("linear_forward_cuda: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
void linear_backward_cuda(const LinearShape&, const float*, const float*, const float*, float*, float*, float*,
                          const LinearCudaOptions&) {
  throw Error("linear_backward_cuda: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
#endif

LinearShape linear_shape(const Tensor& input, const Tensor& weight) {
  GENINT_CHECK(input.rank() == 2 && weight.rank() == 2 && input.size(1) == weight.size(1),
               "linear: input " + input.shape().to_string() + " and weight " + weight.shape().to_string() +
                   " must be [rows, in] and [out, in]");
  LinearShape shape;
  shape.rows = static_cast<int>(input.size(0));
  shape.in_features = static_cast<int>(input.size(1));
  shape.out_features = static_cast<int>(weight.size(0));
  shape.validate();
  return shape;
}

namespace {

void expect_float_tensor(const char* what, const Tensor& tensor, const Shape& shape, Device device, bool optional) {
  if (optional && !tensor.defined()) return;
  tensor.expect(what, shape, DType::Float32, device);
  GENINT_CHECK(tensor.is_contiguous(), std::string(what) + " must be contiguous");
}

float* optional_data(const Tensor& tensor) {
  return tensor.defined() ? tensor.data<float>() : nullptr;
}

}  // namespace

void linear_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const LinearCudaOptions& options) {
  const LinearShape shape = linear_shape(input, weight);
  const Device device = input.device();
  expect_float_tensor("linear input", input, input.shape(), device, false);
  expect_float_tensor("linear weight", weight, weight.shape(), device, false);
  expect_float_tensor("linear bias", bias, Shape{shape.out_features}, device, true);
  expect_float_tensor("linear output", output, Shape{shape.rows, shape.out_features}, device, false);
  if (device == Device::Cpu) {
    linear_forward_cpu(shape, input.data<float>(), weight.data<float>(), optional_data(bias), output.data<float>());
  } else {
    linear_forward_cuda(shape, input.data<float>(), weight.data<float>(), optional_data(bias), output.data<float>(),
                        options);
  }
}

void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const LinearCudaOptions& options) {
  const LinearShape shape = linear_shape(input, weight);
  const Device device = input.device();
  expect_float_tensor("linear input", input, input.shape(), device, false);
  expect_float_tensor("linear weight", weight, weight.shape(), device, false);
  expect_float_tensor("linear output_grad", output_grad, Shape{shape.rows, shape.out_features}, device, false);
  expect_float_tensor("linear input_grad", input_grad, input.shape(), device, true);
  expect_float_tensor("linear weight_grad", weight_grad, weight.shape(), device, false);
  expect_float_tensor("linear bias_grad", bias_grad, Shape{shape.out_features}, device, true);
  if (device == Device::Cpu) {
    linear_backward_cpu(shape, input.data<float>(), weight.data<float>(), output_grad.data<float>(),
                        optional_data(input_grad), weight_grad.data<float>(), optional_data(bias_grad));
  } else {
    linear_backward_cuda(shape, input.data<float>(), weight.data<float>(), output_grad.data<float>(),
                         optional_data(input_grad), weight_grad.data<float>(), optional_data(bias_grad), options);
  }
}

}  // namespace genint
