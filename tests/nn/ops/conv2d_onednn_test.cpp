// The CPU conv2d's oneDNN backend held to the im2col one on a spread of shapes and thread counts (all three passes,
// with and without bias), its plan cache and workspace check, and GENINT_CPU_CONV's parsing.
#include <gtest/gtest.h>
#include <omp.h>

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <thread>
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

// Stride 2 with and without padding, 1x1 at stride 1 and 2, odd sizes (in 1x1_s2_b8 and 3x3_s2_groups4 floor division
// drops the last row and column; the odd stem's 33x31 divides exactly), a 7x7 stem, 3 input channels, dilation,
// groups, a 4x4/2 GAN-style kernel; batch 1 and 8.
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
  // NaN: a pass that reads workspace it did not write (a stale partial, say) shows in its results.
  std::vector<float> workspace(Backend::workspace_floats(shape, threads), std::numeric_limits<float>::quiet_NaN());
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

// A shape's inputs, the same for every run of it.
struct Inputs {
  explicit Inputs(const Conv2dShape& shape)
      : input(uniform_values(shape.input_elements(), 41)),
        weight(uniform_values(shape.weight_elements(), 42)),
        bias(uniform_values(shape.out_channels, 43)),
        output_grad(uniform_values(shape.output_elements(), 44)) {}
  std::vector<float> input, weight, bias, output_grad;
};

// The three passes on oneDNN at `threads` OpenMP threads (set for the calling thread only) in their own workspace.
Results run_onednn_at(const Conv2dShape& shape, bool bias, int threads, const Inputs& in) {
  omp_set_num_threads(threads);
  return run_backend<OneDnn>(shape, bias, threads, in.input, in.weight, in.bias, in.output_grad);
}

// Index of the first float whose bits differ (-1: none), for bit-identity checks that print one index, not arrays.
std::int64_t first_difference(const std::vector<float>& actual, const std::vector<float>& expected) {
  if (actual.size() != expected.size()) return 0;
  for (std::size_t index = 0; index < actual.size(); ++index)
    if (std::memcmp(&actual[index], &expected[index], sizeof(float)) != 0) return static_cast<std::int64_t>(index);
  return -1;
}

void expect_identical(const Results& actual, const Results& expected, const std::string& what) {
  EXPECT_EQ(first_difference(actual.output, expected.output), -1) << what << " forward";
  EXPECT_EQ(first_difference(actual.input_grad, expected.input_grad), -1) << what << " input_grad";
  EXPECT_EQ(first_difference(actual.weight_grad, expected.weight_grad), -1) << what << " weight_grad";
  EXPECT_EQ(first_difference(actual.bias_grad, expected.bias_grad), -1) << what << " bias_grad";
}

struct ThreadJob {
  Conv2dShape shape;
  const Inputs* inputs;
  bool bias;
  int threads;  // this std::thread's OpenMP thread count
};

// Loader producers run convolutions on their own threads: four std::threads, each at its own OpenMP thread count
// and in its own workspace, start together on shapes no plan exists for yet (so they ask for new plans at once, two
// threads for the same key), and run all three passes three times. Each result must be bit-identical to the
// same shape run alone afterwards at the same thread count: the same plan and the same static split of the work sum
// in the same order, so any difference is interference between threads, not rounding.
TEST(Conv2dOneDnn, ThreadsSharingThePlanCacheGetTheResultsOfARunAlone) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  Conv2dShape large = shape_of(kCases[1]);  // 8x16x13x13 -> 32, 3x3: sizes no other test uses
  large.in_height = large.in_width = 13;
  Conv2dShape small = shape_of(kCases[9]);  // 3x32x10x10 -> 16, 4x4/2: an odd chunk of the GAN-style shape
  small.batch = 3;
  small.in_height = small.in_width = 10;
  const Inputs large_inputs(large), small_inputs(small);
  const std::vector<ThreadJob> jobs = {{large, &large_inputs, true, 2},
                                       {large, &large_inputs, true, 2},
                                       {large, &large_inputs, true, 1},
                                       {small, &small_inputs, false, 1}};
  const std::size_t plans_before = conv2d_onednn::cached_plans();
  constexpr int kRepeats = 3;
  std::vector<std::vector<Results>> results(jobs.size());
  std::vector<std::string> failures(jobs.size());
  std::atomic<int> waiting{static_cast<int>(jobs.size())};
  std::vector<std::thread> workers;
  for (std::size_t index = 0; index < jobs.size(); ++index)
    workers.emplace_back([&, index] {
      const ThreadJob& job = jobs[index];
      waiting.fetch_sub(1);
      while (waiting.load() > 0) std::this_thread::yield();  // start together, so the builds overlap
      try {
        for (int repeat = 0; repeat < kRepeats; ++repeat)
          results[index].push_back(run_onednn_at(job.shape, job.bias, job.threads, *job.inputs));
      } catch (const std::exception& error) {
        failures[index] = error.what();
      }
    });
  for (std::thread& worker : workers) worker.join();
  // Keyed by shape, threads and bias (workspace_floats builds both bias variants): large at 2 and 1 thread, small
  // at 1, whatever the race; a plan per std::thread or a lost insertion would show here.
  EXPECT_EQ(conv2d_onednn::cached_plans() - plans_before, 6u);
  const int saved_threads = omp_get_max_threads();
  for (std::size_t index = 0; index < jobs.size(); ++index) {
    const ThreadJob& job = jobs[index];
    ASSERT_EQ(failures[index], "") << "thread " << index;
    ASSERT_EQ(results[index].size(), static_cast<std::size_t>(kRepeats));
    const Results alone = run_onednn_at(job.shape, job.bias, job.threads, *job.inputs);
    for (int repeat = 0; repeat < kRepeats; ++repeat)
      expect_identical(results[index][repeat], alone,
                       "thread " + std::to_string(index) + " repeat " + std::to_string(repeat));
    // And to the single-thread result. Another thread count may split a sum differently (oneDNN reduces the weight
    // gradient across threads), so these use AllThreePassesAgree's bounds (1e-4; 4e-4 for the batch x H x W weight
    // and bias sums); on these shapes 2 and 1 threads were measured bit-identical.
    const Results single = run_onednn_at(job.shape, job.bias, 1, *job.inputs);
    testing::expect_all_close(results[index][0].output, single.output, 1e-4, 1e-5, "forward");
    testing::expect_all_close(results[index][0].input_grad, single.input_grad, 1e-4, 1e-5, "input_grad");
    testing::expect_all_close(results[index][0].weight_grad, single.weight_grad, 4e-4, 1e-5, "weight_grad");
    testing::expect_all_close(results[index][0].bias_grad, single.bias_grad, 4e-4, 1e-5, "bias_grad");
  }
  omp_set_num_threads(saved_threads);
}

// oneDNN's kernels are not ASan-instrumented, so a workspace_floats that undercounts would corrupt memory unseen.
// Every pass, both bias variants, at 1 and 2 threads, runs in exactly the floats workspace_floats asks for, starting
// one float past a cache line (so the alignment slack is at its largest, 60 bytes), between sentinel guards that
// must come back untouched.
TEST(Conv2dOneDnn, StaysInsideTheWorkspaceItAsksFor) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  constexpr float kSentinel = -12345.6789f;  // a value no pass writes
  constexpr std::size_t kLineFloats = 64 / sizeof(float);
  const int saved_threads = omp_get_max_threads();
  for (const ShapeCase& shape_case : kCases) {
    const Conv2dShape shape = shape_of(shape_case);
    const Inputs in(shape);
    for (const int threads : {1, 2}) {
      omp_set_num_threads(threads);
      const std::size_t needed = conv2d_onednn::workspace_floats(shape, threads);
      const std::size_t back_guard = needed + 1024;  // an overrun by up to the whole workspace lands in it
      std::vector<float> buffer(kLineFloats + kLineFloats + 1 + needed + back_guard, kSentinel);
      const auto address = reinterpret_cast<std::uintptr_t>(buffer.data());
      const std::size_t to_line = (64 - address % 64) % 64 / sizeof(float);
      const std::size_t start = to_line + kLineFloats + 1;  // one float past a cache line, a line of guard before
      for (const bool bias : {false, true}) {
        Results results;
        results.output.resize(static_cast<std::size_t>(shape.output_elements()));
        results.input_grad.resize(in.input.size());
        results.weight_grad.resize(in.weight.size());
        results.bias_grad.resize(in.bias.size());
        float* workspace = buffer.data() + start;
        conv2d_onednn::forward(shape, in.input.data(), in.weight.data(), bias ? in.bias.data() : nullptr,
                               results.output.data(), workspace, needed);
        conv2d_onednn::backward_data(shape, in.output_grad.data(), in.weight.data(), results.input_grad.data(),
                                     workspace, needed);
        conv2d_onednn::backward_weight(shape, in.input.data(), in.output_grad.data(), results.weight_grad.data(),
                                       bias ? results.bias_grad.data() : nullptr, workspace, needed);
        std::size_t touched = 0;
        for (std::size_t index = 0; index < buffer.size(); ++index)
          if ((index < start || index >= start + needed) && buffer[index] != kSentinel) ++touched;
        EXPECT_EQ(touched, 0u) << shape_case.name << " at " << threads << " threads, bias " << bias;
      }
    }
  }
  omp_set_num_threads(saved_threads);
}

// Inside an OpenMP parallel region oneDNN runs on the calling thread alone, so the kernels plan, size and check for
// 1 thread there, whatever OpenMP's limit. Two threads of a region (limit 2) each run all three passes: oneDNN in a
// 1-thread workspace, im2col in one sized for 2 (it must still use 1: a second thread's NaN-filled partial would be
// added unwritten). Each must be bit-identical to a 1-thread run outside the region: the same plan, or the same
// block split, sums the same terms in the same order. (A 2-thread oneDNN plan run there left half the weight and
// bias gradient's output channels unwritten.)
TEST(Conv2dOneDnn, RunsOnOneThreadInsideAParallelRegion) {
  if (!cpu_conv_onednn_built()) GTEST_SKIP() << "built without oneDNN";
  Conv2dShape shape = shape_of(kCases[1]);  // 8x16x11x11 -> 32, 3x3: a size no other test uses
  shape.in_height = shape.in_width = 11;
  const Inputs in(shape);
  const int saved_threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const Results onednn_alone = run_backend<OneDnn>(shape, true, 1, in.input, in.weight, in.bias, in.output_grad);
  const Results im2col_alone = run_backend<Im2col>(shape, true, 1, in.input, in.weight, in.bias, in.output_grad);
  omp_set_num_threads(2);  // the region's threads see a limit of 2 too
  std::vector<Results> onednn(2), im2col(2);
  std::vector<std::string> failures(2, "did not run");
#pragma omp parallel num_threads(2)
  {
    const int thread = omp_get_thread_num();
    try {
      onednn[thread] = run_backend<OneDnn>(shape, true, 1, in.input, in.weight, in.bias, in.output_grad);
      im2col[thread] = run_backend<Im2col>(shape, true, 2, in.input, in.weight, in.bias, in.output_grad);
      failures[thread].clear();
    } catch (const std::exception& error) {
      failures[thread] = error.what();
    }
  }
  omp_set_num_threads(saved_threads);
  for (int thread = 0; thread < 2; ++thread) {
    ASSERT_EQ(failures[thread], "") << "region thread " << thread;
    expect_identical(onednn[thread], onednn_alone, "oneDNN, region thread " + std::to_string(thread));
    expect_identical(im2col[thread], im2col_alone, "im2col, region thread " + std::to_string(thread));
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
