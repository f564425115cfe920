// The CPU conv2d's oneDNN backend held to the im2col one on a spread of shapes and thread counts (all three passes,
// with and without bias), its plan cache and workspace check, and GENINT_CPU_CONV's parsing.
#include <gtest/gtest.h>
#include <omp.h>

#include <cmath>
#include <cstdlib>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/conv2d_cpu_backends.h"
#include "support/golden_file.h"

namespace genint {
namespace {

std::vector<float> uniform_values(std::int64_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(count));
  for (float& value : values) value = uniform(generator);
  return values;
}

struct ShapeCase {
  const char* name;
  int batch, in_channels, height, width, out_channels, kernel, stride, pad, dilation, groups;
  bool bias;
};

// Stride 2 with and without padding, 1x1 at stride 1 and 2, odd sizes (floor division dropping a row), a 7x7 stem,
// 3 input channels, dilation, groups, a 4x4/2 GAN-style kernel; batch 1 and 8.
constexpr ShapeCase kCases[] = {
    {"stem3x3_s2_odd", 1, 3, 33, 31, 16, 3, 2, 1, 1, 1, true},
    {"3x3_s1_p1_b8", 8, 16, 17, 17, 32, 3, 1, 1, 1, 1, false},
    {"1x1_s2_b8", 8, 32, 16, 16, 64, 1, 2, 0, 1, 1, false},
    {"1x1_s1_odd_b8", 8, 24, 9, 11, 40, 1, 1, 0, 1, 1, true},
    {"3x3_s1_7x7_b1", 1, 64, 7, 7, 64, 3, 1, 1, 1, 1, false},
    {"stem7x7_s2_p3", 1, 3, 15, 15, 12, 7, 2, 3, 1, 1, true},
    {"3x3_dilation2_b8", 8, 8, 12, 10, 8, 3, 1, 2, 2, 1, false},
    {"3x3_s2_groups4", 1, 16, 10, 10, 24, 3, 2, 1, 1, 4, true},
    {"3x3_s2_p0_odd_channels_b8", 8, 5, 13, 9, 7, 3, 2, 0, 1, 1, false},
    {"4x4_s2_p1", 1, 32, 6, 6, 16, 4, 2, 1, 1, 1, true},
};

Conv2dShape shape_of(const ShapeCase& c) {
  Conv2dShape shape;
  shape.batch = c.batch;
  shape.in_channels = c.in_channels;
  shape.in_height = c.height;
  shape.in_width = c.width;
  shape.out_channels = c.out_channels;
  shape.kernel_height = shape.kernel_width = c.kernel;
  shape.stride_height = shape.stride_width = c.stride;
  shape.pad_height = shape.pad_width = c.pad;
  shape.dilation_height = shape.dilation_width = c.dilation;
  shape.groups = c.groups;
  return shape;
}

// The three passes' results of one backend.
struct Results {
  std::vector<float> output, input_grad, weight_grad, bias_grad;
};

template <typename Backend>
Results run_backend(const Conv2dShape& shape, bool bias, int threads, const std::vector<float>& input,
                    const std::vector<float>& weight, const std::vector<float>& bias_values,
                    const std::vector<float>& output_grad) {
  std::vector<float> workspace(Backend::workspace_floats(shape, threads));
  Results results;
  results.output.assign(static_cast<std::size_t>(shape.output_elements()), 7.0f);  // overwritten, not added to
  results.input_grad.assign(input.size(), 7.0f);
  results.weight_grad.assign(weight.size(), 7.0f);
  results.bias_grad.assign(bias ? bias_values.size() : 0, 7.0f);
  float* bias_grad = bias ? results.bias_grad.data() : nullptr;
  Backend::forward(shape, input.data(), weight.data(), bias ? bias_values.data() : nullptr, results.output.data(),
                   workspace.data(), workspace.size());
  Backend::backward_data(shape, output_grad.data(), weight.data(), results.input_grad.data(), workspace.data(),
                         workspace.size());
  Backend::backward_weight(shape, input.data(), output_grad.data(), results.weight_grad.data(), bias_grad,
                           workspace.data(), workspace.size());
  return results;
}

struct Im2col {
  static constexpr auto workspace_floats = conv2d_im2col::workspace_floats;
  static constexpr auto forward = conv2d_im2col::forward;
  static constexpr auto backward_data = conv2d_im2col::backward_data;
  static constexpr auto backward_weight = conv2d_im2col::backward_weight;
};
struct OneDnn {
  static constexpr auto workspace_floats = conv2d_onednn::workspace_floats;
  static constexpr auto forward = conv2d_onednn::forward;
  static constexpr auto backward_data = conv2d_onednn::backward_data;
  static constexpr auto backward_weight = conv2d_onednn::backward_weight;
};

class Conv2dOneDnnVsIm2col : public ::testing::TestWithParam<std::tuple<ShapeCase, int>> {};

TEST_P(Conv2dOneDnnVsIm2col, AllThreePassesAgree) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  const auto [shape_case, threads] = GetParam();
  const Conv2dShape shape = shape_of(shape_case);
  shape.validate();
  const std::vector<float> input = uniform_values(shape.input_elements(), 31);
  const std::vector<float> weight = uniform_values(shape.weight_elements(), 32);
  const std::vector<float> bias = uniform_values(shape.out_channels, 33);
  const std::vector<float> output_grad = uniform_values(shape.output_elements(), 34);
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(threads);
  const Results expected = run_backend<Im2col>(shape, shape_case.bias, threads, input, weight, bias, output_grad);
  const Results actual = run_backend<OneDnn>(shape, shape_case.bias, threads, input, weight, bias, output_grad);
  omp_set_num_threads(saved_threads);
  // Both sum the same float32 products of U(-1,1) values in different orders (blocked GEMM vs oneDNN's direct
  // kernels). Forward and input-gradient sums have at most 576 terms (64 channels x 3x3), magnitude ~10: rounding
  // differences stay below ~1e-5, so 1e-4 absolute. Weight and bias gradients sum batch x H x W terms (up to 8x17x17
  // = 2312, magnitude ~20): ~4e-5, so 4e-4. A wrong tap, offset, group or missing bias term is O(0.1) or more.
  testing::expect_all_close(actual.output, expected.output, 1e-4, 1e-5, "forward");
  testing::expect_all_close(actual.input_grad, expected.input_grad, 1e-4, 1e-5, "input_grad");
  testing::expect_all_close(actual.weight_grad, expected.weight_grad, 4e-4, 1e-5, "weight_grad");
  testing::expect_all_close(actual.bias_grad, expected.bias_grad, 4e-4, 1e-5, "bias_grad");
}

INSTANTIATE_TEST_SUITE_P(Shapes, Conv2dOneDnnVsIm2col,
                         ::testing::Combine(::testing::ValuesIn(kCases), ::testing::Values(1, 2)),
                         [](const ::testing::TestParamInfo<std::tuple<ShapeCase, int>>& parameter) {
                           return std::string(std::get<0>(parameter.param).name) + "_threads" +
                                  std::to_string(std::get<1>(parameter.param));
                         });

TEST(Conv2dOneDnn, CachesOnePlanPerShapeThreadsAndBias) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  Conv2dShape shape = shape_of(kCases[1]);
  shape.in_height = shape.in_width = 5;  // a shape no other test uses
  const std::vector<float> input = uniform_values(shape.input_elements(), 1);
  const std::vector<float> weight = uniform_values(shape.weight_elements(), 2);
  std::vector<float> output(static_cast<std::size_t>(shape.output_elements()));
  const int threads = omp_get_max_threads();
  std::vector<float> workspace(conv2d_onednn::workspace_floats(shape, threads));
  const std::size_t plans = conv2d_onednn::cached_plans();  // sizing made the with- and without-bias plans
  for (int call = 0; call < 3; ++call)
    conv2d_onednn::forward(shape, input.data(), weight.data(), nullptr, output.data(), workspace.data(),
                           workspace.size());
  EXPECT_EQ(conv2d_onednn::cached_plans(), plans);
  shape.batch += 1;
  std::vector<float>(conv2d_onednn::workspace_floats(shape, threads)).swap(workspace);
  EXPECT_EQ(conv2d_onednn::cached_plans(), plans + 2);
}

TEST(Conv2dOneDnn, RefusesATooSmallWorkspace) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  const Conv2dShape shape = shape_of(kCases[0]);
  const std::vector<float> input(static_cast<std::size_t>(shape.input_elements()));
  const std::vector<float> weight(static_cast<std::size_t>(shape.weight_elements()));
  std::vector<float> output(static_cast<std::size_t>(shape.output_elements()));
  std::vector<float> workspace(conv2d_onednn::workspace_floats(shape, omp_get_max_threads()) / 2);
  try {
    conv2d_onednn::forward(shape, input.data(), weight.data(), nullptr, output.data(), workspace.data(),
                           workspace.size());
    FAIL() << "a workspace of half the size was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("conv2d_cpu_workspace_floats"), std::string::npos) << error.what();
  }
}

TEST(CpuConvBackend, ParsesTheEnvironmentValueAndRefusesOthers) {
  EXPECT_EQ(parse_cpu_conv_backend("im2col"), CpuConvBackend::Im2col);
  const CpuConvBackend default_backend = cpu_conv_onednn_built() ? CpuConvBackend::OneDnn : CpuConvBackend::Im2col;
  EXPECT_EQ(parse_cpu_conv_backend(nullptr), default_backend);
  EXPECT_EQ(parse_cpu_conv_backend(""), default_backend);
  if (cpu_conv_onednn_built())
    EXPECT_EQ(parse_cpu_conv_backend("onednn"), CpuConvBackend::OneDnn);
  else
    EXPECT_THROW(parse_cpu_conv_backend("onednn"), Error);
  for (const char* bad : {"OneDNN", "mkldnn", "im2col ", "gemm"}) {
    try {
      parse_cpu_conv_backend(bad);
      ADD_FAILURE() << "accepted GENINT_CPU_CONV=" << bad;
    } catch (const Error& error) {
      EXPECT_EQ(error.status(), Status::InvalidConfig);
      const std::string message = error.what();
      EXPECT_NE(message.find("GENINT_CPU_CONV"), std::string::npos) << message;
      EXPECT_NE(message.find("onednn or im2col"), std::string::npos) << message;
    }
  }
}

// CTest runs the conv2d tests once per backend (tests/nn/CMakeLists.txt): each run must use the one it names.
TEST(CpuConvBackend, TheKernelsUseTheBackendTheEnvironmentNames) {
  EXPECT_EQ(cpu_conv_backend(), parse_cpu_conv_backend(std::getenv("GENINT_CPU_CONV")));
}

}  // namespace
}  // namespace genint
