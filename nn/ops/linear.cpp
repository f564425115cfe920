// linear's dispatch point (CPU sgemm or cuBLAS on the target's stream) and the Tensor layer that checks shapes,
// dtypes and devices before dispatching.
#include "nn/ops/linear.h"

#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"

namespace genint {

void linear_forward(const OpTarget& target, const LinearShape& shape, const float* input, const float* weight,
                    const float* bias, float* output, const MatmulPrecision& precision) {
  if (target.on_cpu()) return linear_forward_cpu(shape, input, weight, bias, output);
  GENINT_CUDA_CALL(linear_forward_cuda, shape, input, weight, bias, output, precision, target.stream);
}

void linear_backward(const OpTarget& target, const LinearShape& shape, const float* input, const float* weight,
                     const float* output_grad, float* input_grad, float* weight_grad, float* bias_grad,
                     const MatmulPrecision& precision) {
  if (target.on_cpu())
    return linear_backward_cpu(shape, input, weight, output_grad, input_grad, weight_grad, bias_grad);
  GENINT_CUDA_CALL(linear_backward_cuda, shape, input, weight, output_grad, input_grad, weight_grad, bias_grad,
                   precision, target.stream);
}

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

}  // namespace

void linear_forward(const Tensor& input, const Tensor& weight, const Tensor& bias, const Tensor& output,
                    const MatmulPrecision& precision, void* stream) {
  const LinearShape shape = linear_shape(input, weight);
  const Device device = input.device();
  expect_float_tensor("linear input", input, input.shape(), device, false);
  expect_float_tensor("linear weight", weight, weight.shape(), device, false);
  expect_float_tensor("linear bias", bias, Shape{shape.out_features}, device, true);
  expect_float_tensor("linear output", output, Shape{shape.rows, shape.out_features}, device, false);
  linear_forward(OpTarget{device, stream}, shape, input.data<float>(), weight.data<float>(), bias.data_or_null<float>(),
                 output.data<float>(), precision);
}

void linear_backward(const Tensor& input, const Tensor& weight, const Tensor& output_grad, const Tensor& input_grad,
                     const Tensor& weight_grad, const Tensor& bias_grad, const MatmulPrecision& precision,
                     void* stream) {
  const LinearShape shape = linear_shape(input, weight);
  const Device device = input.device();
  expect_float_tensor("linear input", input, input.shape(), device, false);
  expect_float_tensor("linear weight", weight, weight.shape(), device, false);
  expect_float_tensor("linear output_grad", output_grad, Shape{shape.rows, shape.out_features}, device, false);
  expect_float_tensor("linear input_grad", input_grad, input.shape(), device, true);
  expect_float_tensor("linear weight_grad", weight_grad, weight.shape(), device, false);
  expect_float_tensor("linear bias_grad", bias_grad, Shape{shape.out_features}, device, true);
  linear_backward(OpTarget{device, stream}, shape, input.data<float>(), weight.data<float>(), output_grad.data<float>(),
                  input_grad.data_or_null<float>(), weight_grad.data<float>(), bias_grad.data_or_null<float>(),
                  precision);
}

}  // namespace genint
