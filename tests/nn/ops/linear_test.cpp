// linear CPU: central finite differences of the backward pass, and the Tensor layer's shape checks.
#include "nn/ops/linear.h"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "nn/core/error.h"
#include "support/golden_file.h"

namespace genint {
namespace {

TEST(LinearCpu, BackwardMatchesFiniteDifferences) {
  const LinearShape shape{4, 6, 3};
  std::mt19937 generator(21);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  auto random_vector = [&](std::size_t count) {
    std::vector<float> values(count);
    for (float& value : values) value = normal(generator);
    return values;
  };
  std::vector<float> input = random_vector(24), weight = random_vector(18), bias = random_vector(3);
  const std::vector<float> loss_weights = random_vector(12);
  auto loss = [&] {
    std::vector<float> output(12);
    linear_forward_cpu(shape, input.data(), weight.data(), bias.data(), output.data());
    double sum = 0.0;
    for (std::size_t index = 0; index < output.size(); ++index)
      sum += static_cast<double>(output[index]) * loss_weights[index];
    return sum;
  };
  auto numeric_gradient = [&](std::vector<float>& values) {
    const float step = 0.125f;  // linear in each argument: exact up to rounding; a power of two keeps x ± step exact
    std::vector<float> gradient(values.size());
    for (std::size_t index = 0; index < values.size(); ++index) {
      const float original = values[index];
      values[index] = original + step;
      const double plus = loss();
      values[index] = original - step;
      const double minus = loss();
      values[index] = original;
      gradient[index] = static_cast<float>((plus - minus) / (2.0 * step));
    }
    return gradient;
  };
  std::vector<float> input_grad(24), weight_grad(18), bias_grad(3);
  linear_backward_cpu(shape, input.data(), weight.data(), loss_weights.data(), input_grad.data(), weight_grad.data(),
                      bias_grad.data());
  // Rounded outputs (~1e-6 each) divided by 2·step = 0.25: ≤ ~5e-5; gradients are O(1).
  testing::expect_all_close(input_grad, numeric_gradient(input), 2e-4, 1e-4, "input_grad");
  testing::expect_all_close(weight_grad, numeric_gradient(weight), 2e-4, 1e-4, "weight_grad");
  testing::expect_all_close(bias_grad, numeric_gradient(bias), 2e-4, 1e-4, "bias_grad");
}

TEST(LinearTensorLayer, ChecksShapes) {
  const Tensor input = Tensor::zeros(Shape{2, 5}, DType::Float32, Device::Cpu);
  const Tensor weight = Tensor::zeros(Shape{3, 5}, DType::Float32, Device::Cpu);
  const Tensor output = Tensor::empty(Shape{2, 3}, DType::Float32, Device::Cpu);
  EXPECT_NO_THROW(linear_forward(input, weight, Tensor{}, output));
  EXPECT_THROW(linear_forward(input, Tensor::zeros(Shape{3, 4}, DType::Float32, Device::Cpu), Tensor{}, output), Error);
  EXPECT_THROW(linear_forward(input, weight, Tensor::zeros(Shape{2}, DType::Float32, Device::Cpu), output), Error);
}

}  // namespace
}  // namespace genint
