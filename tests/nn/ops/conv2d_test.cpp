// conv2d CPU: forward against a direct double-precision loop, backward against central finite
// differences, on small rectangular/strided/dilated/grouped shapes; plus the shape checks.
#include "nn/ops/conv2d.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/bfloat16_convert.h"
#include "support/golden_file.h"

namespace genint {
namespace {

std::vector<float> random_values(std::size_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> values(count);
  for (float& value : values) value = normal(generator);
  return values;
}

// The definition of convolution, term by term, in double.
std::vector<double> direct_conv2d(const Conv2dShape& s, const std::vector<float>& input,
                                  const std::vector<float>& weight, const std::vector<float>& bias) {
  const int out_height = s.out_height(), out_width = s.out_width();
  const int in_per_group = s.in_channels / s.groups, out_per_group = s.out_channels / s.groups;
  std::vector<double> output(static_cast<std::size_t>(s.output_elements()));
  std::size_t index = 0;
  for (int n = 0; n < s.batch; ++n)
    for (int o = 0; o < s.out_channels; ++o)
      for (int y = 0; y < out_height; ++y)
        for (int x = 0; x < out_width; ++x, ++index) {
          double sum = bias.empty() ? 0.0 : bias[static_cast<std::size_t>(o)];
          for (int c = 0; c < in_per_group; ++c)
            for (int ky = 0; ky < s.kernel_height; ++ky)
              for (int kx = 0; kx < s.kernel_width; ++kx) {
                const int iy = y * s.stride_height - s.pad_height + ky * s.dilation_height;
                const int ix = x * s.stride_width - s.pad_width + kx * s.dilation_width;
                if (iy < 0 || iy >= s.in_height || ix < 0 || ix >= s.in_width) continue;
                const int channel = (o / out_per_group) * in_per_group + c;
                const double pixel = input[static_cast<std::size_t>(
                    ((n * s.in_channels + channel) * s.in_height + iy) * s.in_width + ix)];
                sum += pixel * weight[static_cast<std::size_t>(
                                   ((o * in_per_group + c) * s.kernel_height + ky) * s.kernel_width + kx)];
              }
          output[index] = sum;
        }
  return output;
}

// The adjoint of direct_conv2d, term by term in double: the input and weight gradients of Σ output · output_grad.
void direct_conv2d_backward(const Conv2dShape& s, const std::vector<float>& input, const std::vector<float>& weight,
                            const std::vector<float>& output_grad, std::vector<double>& input_grad,
                            std::vector<double>& weight_grad) {
  const int out_height = s.out_height(), out_width = s.out_width();
  const int in_per_group = s.in_channels / s.groups, out_per_group = s.out_channels / s.groups;
  input_grad.assign(static_cast<std::size_t>(s.input_elements()), 0.0);
  weight_grad.assign(static_cast<std::size_t>(s.weight_elements()), 0.0);
  std::size_t index = 0;
  for (int n = 0; n < s.batch; ++n)
    for (int o = 0; o < s.out_channels; ++o)
      for (int y = 0; y < out_height; ++y)
        for (int x = 0; x < out_width; ++x, ++index) {
          const double gradient = output_grad[index];
          for (int c = 0; c < in_per_group; ++c)
            for (int ky = 0; ky < s.kernel_height; ++ky)
              for (int kx = 0; kx < s.kernel_width; ++kx) {
                const int iy = y * s.stride_height - s.pad_height + ky * s.dilation_height;
                const int ix = x * s.stride_width - s.pad_width + kx * s.dilation_width;
                if (iy < 0 || iy >= s.in_height || ix < 0 || ix >= s.in_width) continue;
                const int channel = (o / out_per_group) * in_per_group + c;
                const std::size_t pixel =
                    static_cast<std::size_t>(((n * s.in_channels + channel) * s.in_height + iy) * s.in_width + ix);
                const std::size_t tap =
                    static_cast<std::size_t>(((o * in_per_group + c) * s.kernel_height + ky) * s.kernel_width + kx);
                input_grad[pixel] += gradient * weight[tap];
                weight_grad[tap] += gradient * input[pixel];
              }
        }
}

Conv2dShape small_shape(int stride_h, int stride_w, int pad, int dilation, int groups) {
  Conv2dShape shape;
  shape.batch = 2;
  shape.in_channels = 4;
  shape.in_height = 6;
  shape.in_width = 7;
  shape.out_channels = 6;
  shape.kernel_height = 3;
  shape.kernel_width = 2;
  shape.stride_height = stride_h;
  shape.stride_width = stride_w;
  shape.pad_height = shape.pad_width = pad;
  shape.dilation_height = shape.dilation_width = dilation;
  shape.groups = groups;
  return shape;
}

class Conv2dCpu : public ::testing::TestWithParam<Conv2dShape> {
 protected:
  void SetUp() override {
    shape_ = GetParam();
    input_ = random_values(static_cast<std::size_t>(shape_.input_elements()), 11);
    weight_ = random_values(static_cast<std::size_t>(shape_.weight_elements()), 12);
    bias_ = random_values(static_cast<std::size_t>(shape_.out_channels), 13);
    loss_weights_ = random_values(static_cast<std::size_t>(shape_.output_elements()), 14);
    workspace_.resize(conv2d_cpu_workspace_floats(shape_, omp_get_max_threads()));
  }
  std::vector<float> forward(const std::vector<float>& input, const std::vector<float>& weight,
                             const std::vector<float>& bias) {
    std::vector<float> output(static_cast<std::size_t>(shape_.output_elements()));
    conv2d_forward_cpu(shape_, input.data(), weight.data(), bias.data(), output.data(), workspace_.data(),
                       workspace_.size());
    return output;
  }
  // loss = Σ output · loss_weights, accumulated in double.
  double loss(const std::vector<float>& input, const std::vector<float>& weight, const std::vector<float>& bias) {
    const std::vector<float> output = forward(input, weight, bias);
    double sum = 0.0;
    for (std::size_t index = 0; index < output.size(); ++index)
      sum += static_cast<double>(output[index]) * loss_weights_[index];
    return sum;
  }
  // Central difference of the loss along each element of `values` (one of input_, weight_, bias_).
  std::vector<float> numeric_gradient(std::vector<float>& values) {
    // Convolution is linear in each argument, so the central difference is exact up to rounding; a
    // power of two keeps value ± step exact for |value| < 2^20·step.
    const float step = 0.125f;
    std::vector<float> gradient(values.size());
    for (std::size_t index = 0; index < values.size(); ++index) {
      const float original = values[index];
      values[index] = original + step;
      const double plus = loss(input_, weight_, bias_);
      values[index] = original - step;
      const double minus = loss(input_, weight_, bias_);
      values[index] = original;
      gradient[index] = static_cast<float>((plus - minus) / (2.0 * step));
    }
    return gradient;
  }
  Conv2dShape shape_;
  std::vector<float> input_, weight_, bias_, loss_weights_, workspace_;
};

TEST_P(Conv2dCpu, ForwardMatchesTheDefinition) {
  const std::vector<float> output = forward(input_, weight_, bias_);
  const std::vector<double> expected = direct_conv2d(shape_, input_, weight_, bias_);
  std::vector<float> expected_float(expected.begin(), expected.end());
  // ≤ 37 float products of N(0,1) values: float rounding ~1e-6; a wrong tap is O(1).
  testing::expect_all_close(output, expected_float, 1e-5, 1e-5, "forward");
}

TEST_P(Conv2dCpu, BackwardMatchesFiniteDifferences) {
  std::vector<float> input_grad(input_.size()), weight_grad(weight_.size()), bias_grad(bias_.size());
  conv2d_backward_data_cpu(shape_, loss_weights_.data(), weight_.data(), input_grad.data(), workspace_.data(),
                           workspace_.size());
  conv2d_backward_weight_cpu(shape_, input_.data(), loss_weights_.data(), weight_grad.data(), bias_grad.data(),
                             workspace_.data(), workspace_.size());
  // The difference quotient divides float-rounded outputs (error ~1e-6 each, a few dozen touched)
  // by 2·step = 0.25: ~1e-4 worst case. Gradients are O(1..10), so 5e-4 + 1e-4·|g| still catches
  // any missing or misplaced term.
  testing::expect_all_close(input_grad, numeric_gradient(input_), 5e-4, 1e-4, "input_grad");
  testing::expect_all_close(weight_grad, numeric_gradient(weight_), 5e-4, 1e-4, "weight_grad");
  testing::expect_all_close(bias_grad, numeric_gradient(bias_), 5e-4, 1e-4, "bias_grad");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dCpu,
                         ::testing::Values(small_shape(1, 1, 1, 1, 1), small_shape(2, 1, 1, 1, 1),
                                           small_shape(2, 2, 0, 1, 2), small_shape(1, 2, 2, 2, 1),
                                           small_shape(1, 1, 1, 1, 2)));

// Shapes that take every path of the blocked CPU kernels: many small images per block, kernel taps that only see
// padding (left out), a large map cut into row blocks (whose input gradients overlap), 1×1/1 convolutions gathered
// or in place, groups; each at 1, 2 and 3 threads against the definition in double.
struct BlockCase {
  const char* name;
  int batch, in_channels, height, width, out_channels, kernel, stride, pad, groups;
};

constexpr BlockCase kBlockCases[] = {
    {"taps_of_1x1_map", 20, 8, 1, 1, 6, 3, 1, 1, 1},      {"2x2_stride2_to_1x1", 6, 4, 2, 2, 5, 3, 2, 1, 1},
    {"row_blocks", 3, 3, 70, 40, 4, 3, 1, 1, 1},          {"identity_gathered", 9, 6, 5, 5, 7, 1, 1, 0, 1},
    {"identity_row_blocks", 2, 3, 48, 48, 5, 1, 1, 0, 1}, {"grouped_1xN_rows", 5, 4, 1, 3, 6, 3, 1, 1, 2},
    {"strided_small_images", 11, 4, 7, 6, 8, 3, 2, 1, 1},
};

class Conv2dCpuBlocks : public ::testing::TestWithParam<std::tuple<BlockCase, int>> {};

TEST_P(Conv2dCpuBlocks, AllThreePassesMatchTheDefinition) {
  const auto [block_case, threads] = GetParam();
  Conv2dShape shape;
  shape.batch = block_case.batch;
  shape.in_channels = block_case.in_channels;
  shape.in_height = block_case.height;
  shape.in_width = block_case.width;
  shape.out_channels = block_case.out_channels;
  shape.kernel_height = shape.kernel_width = block_case.kernel;
  shape.stride_height = shape.stride_width = block_case.stride;
  shape.pad_height = shape.pad_width = block_case.pad;
  shape.groups = block_case.groups;
  const std::vector<float> input = random_values(static_cast<std::size_t>(shape.input_elements()), 21);
  const std::vector<float> weight = random_values(static_cast<std::size_t>(shape.weight_elements()), 22);
  const std::vector<float> output_grad = random_values(static_cast<std::size_t>(shape.output_elements()), 23);
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(threads);
  std::vector<float> workspace(conv2d_cpu_workspace_floats(shape, threads));
  std::vector<float> output(static_cast<std::size_t>(shape.output_elements()));
  std::vector<float> input_grad(input.size(), 7.0f), weight_grad(weight.size(), 7.0f);  // overwritten, not added to
  conv2d_forward_cpu(shape, input.data(), weight.data(), nullptr, output.data(), workspace.data(), workspace.size());
  conv2d_backward_data_cpu(shape, output_grad.data(), weight.data(), input_grad.data(), workspace.data(),
                           workspace.size());
  conv2d_backward_weight_cpu(shape, input.data(), output_grad.data(), weight_grad.data(), nullptr, workspace.data(),
                             workspace.size());
  omp_set_num_threads(saved_threads);
  const std::vector<double> expected = direct_conv2d(shape, input, weight, {});
  std::vector<double> expected_input_grad, expected_weight_grad;
  direct_conv2d_backward(shape, input, weight, output_grad, expected_input_grad, expected_weight_grad);
  // Sums of up to 8400 products of N(0,1) values (the weight gradient of row_blocks): float rounding reaches ~1e-5
  // of their ~90 magnitude; a missing, doubled or misplaced term is O(1).
  testing::expect_all_close(output, std::vector<float>(expected.begin(), expected.end()), 1e-4, 1e-5, "forward");
  testing::expect_all_close(input_grad, std::vector<float>(expected_input_grad.begin(), expected_input_grad.end()),
                            1e-4, 1e-5, "input_grad");
  testing::expect_all_close(weight_grad, std::vector<float>(expected_weight_grad.begin(), expected_weight_grad.end()),
                            1e-3, 1e-5, "weight_grad");
}

INSTANTIATE_TEST_SUITE_P(Paths, Conv2dCpuBlocks,
                         ::testing::Combine(::testing::ValuesIn(kBlockCases), ::testing::Values(1, 2, 3)),
                         [](const ::testing::TestParamInfo<std::tuple<BlockCase, int>>& parameter) {
                           return std::string(std::get<0>(parameter.param).name) + "_threads" +
                                  std::to_string(std::get<1>(parameter.param));
                         });

TEST(Conv2dShapeChecks, RejectsImpossibleShapes) {
  Conv2dShape shape = small_shape(1, 1, 1, 1, 1);
  shape.groups = 3;  // does not divide 4 input channels
  EXPECT_THROW(shape.validate(), Error);
  shape = small_shape(1, 1, 0, 4, 1);  // dilated 3-tall kernel spans 9 rows of a 6-row input
  EXPECT_THROW(shape.validate(), Error);
  shape = small_shape(0, 1, 1, 1, 1);
  EXPECT_THROW(shape.validate(), Error);
  EXPECT_NO_THROW(small_shape(2, 2, 1, 2, 2).validate());
}

TEST(Conv2dShapeChecks, RefusesATooSmallWorkspace) {
  const Conv2dShape shape = small_shape(1, 1, 1, 1, 1);
  std::vector<float> input(static_cast<std::size_t>(shape.input_elements())),
      weight(static_cast<std::size_t>(shape.weight_elements()));
  std::vector<float> output(static_cast<std::size_t>(shape.output_elements()));
  std::vector<float> workspace(conv2d_cpu_workspace_floats(shape, 1) - 1);
  EXPECT_THROW(conv2d_forward_cpu(shape, input.data(), weight.data(), nullptr, output.data(), workspace.data(),
                                  workspace.size()),
               Error);
}

TEST(Conv2dTensorLayer, ChecksShapesAndLeavesTheArenaAsItFoundIt) {
  Arena scratch(Device::Cpu);
  const Tensor input = Tensor::zeros(Shape{2, 4, 8, 8}, DType::Float32, Device::Cpu);
  const Tensor weight = Tensor::zeros(Shape{6, 2, 3, 3}, DType::Float32, Device::Cpu);
  Conv2dParams params;
  params.padding = 1;
  params.groups = 2;
  const Tensor output = Tensor::empty(Shape{2, 6, 8, 8}, DType::Float32, Device::Cpu);
  conv2d_forward(input, weight, Tensor{}, output, params, scratch);
  EXPECT_EQ(scratch.bytes_in_use(), 0u);
  const Tensor wrong_output = Tensor::empty(Shape{2, 6, 7, 7}, DType::Float32, Device::Cpu);
  EXPECT_THROW(conv2d_forward(input, weight, Tensor{}, wrong_output, params, scratch), Error);
  params.groups = 1;  // weight now has too few input channels
  EXPECT_THROW(conv2d_forward(input, weight, Tensor{}, output, params, scratch), Error);
}

TEST(Conv2dTensorLayer, ForwardOnlyParamsRunForwardAndRefuseBackward) {
  Arena scratch(Device::Cpu);
  const Tensor input = Tensor::zeros(Shape{1, 2, 5, 5}, DType::Float32, Device::Cpu);
  const Tensor weight = Tensor::zeros(Shape{3, 2, 3, 3}, DType::Float32, Device::Cpu);
  const Tensor output = Tensor::empty(Shape{1, 3, 3, 3}, DType::Float32, Device::Cpu);
  Conv2dParams params;
  params.forward_only = true;
  conv2d_forward(input, weight, Tensor{}, output, params, scratch);
  const Tensor weight_grad = Tensor::empty(weight.shape(), DType::Float32, Device::Cpu);
  EXPECT_THROW(conv2d_backward(input, weight, output, Tensor{}, weight_grad, Tensor{}, params, scratch), Error);
  params.forward_only = false;
  conv2d_backward(input, weight, output, Tensor{}, weight_grad, Tensor{}, params, scratch);
  EXPECT_EQ(scratch.bytes_in_use(), 0u);
}

// Values already on the bf16 grid, so float32 and bfloat16 storage hold them exactly.
std::vector<float> bf16_grid_values(std::int64_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) value = uniform(generator);
  round_to_bfloat16_cpu(values.data(), count);
  return values;
}

Tensor cpu_tensor(const Shape& shape, DType dtype, const std::vector<float>& values) {
  Tensor tensor = Tensor::empty(shape, dtype, Device::Cpu);
  if (dtype == DType::Float32)
    std::copy(values.begin(), values.end(), tensor.data<float>());
  else
    float_to_bfloat16_cpu(values.data(), shape.element_count(), tensor.data<std::uint16_t>());
  return tensor;
}

// bf16 tensors on the CPU are the twin's own operands: widened, convolved in float32, the result (plus the float32
// bias) rounded. So a bf16 output equals the float32-storage twin's output rounded once more, bit for bit, and
// within the scratch conv2d_scratch_bytes names. Outside bf16 mode they are refused.
TEST(Conv2dTensorLayer, Bfloat16TensorsRunTheTwinAndOnlyInBf16Mode) {
  Conv2dParams params;
  params.padding = 1;
  params.bf16 = true;
  const Shape input_shape{2, 3, 7, 7}, weight_shape{5, 3, 3, 3}, output_shape{2, 5, 7, 7};
  const std::vector<float> input = bf16_grid_values(input_shape.element_count(), 5);
  const std::vector<float> weight = bf16_grid_values(weight_shape.element_count(), 6);
  const Tensor bias = cpu_tensor(Shape{5}, DType::Float32, bf16_grid_values(5, 7));
  const Tensor input32 = cpu_tensor(input_shape, DType::Float32, input);
  const Tensor weight32 = cpu_tensor(weight_shape, DType::Float32, weight);
  const Tensor input16 = cpu_tensor(input_shape, DType::BFloat16, input);
  const Tensor weight16 = cpu_tensor(weight_shape, DType::BFloat16, weight);
  const Tensor output32 = Tensor::empty(output_shape, DType::Float32, Device::Cpu);
  const Tensor output16 = Tensor::empty(output_shape, DType::BFloat16, Device::Cpu);
  Arena scratch(Device::Cpu, conv2d_scratch_bytes(Device::Cpu, conv2d_shape(input32, weight32, params), params));
  conv2d_forward(input32, weight32, bias, output32, params, scratch);
  conv2d_forward(input16, weight16, bias, output16, params, scratch);
  EXPECT_EQ(scratch.system_allocations(), 1u) << "conv2d_scratch_bytes must cover the twin's copies";
  std::vector<float> expected(output32.data<float>(), output32.data<float>() + output32.element_count());
  round_to_bfloat16_cpu(expected.data(), output32.element_count());
  std::vector<float> actual(expected.size());
  bfloat16_to_float_cpu(output16.data<std::uint16_t>(), output16.element_count(), actual.data());
  EXPECT_EQ(actual, expected);
  params.bf16 = false;
  EXPECT_THROW(conv2d_forward(input16, weight16, bias, output16, params, scratch), Error);
}

}  // namespace
}  // namespace genint
