// conv2d's cuDNN plans: descriptors in RAII wrappers and, per (shape, options, device), the algorithm of each pass
// chosen once from cudnnGet*_v7's heuristic ranking, filtered, with the workspace cuDNN states for the choice.
#include <algorithm>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "nn/core/cuda_check.h"
#include "nn/ops/conv2d_plan.cuh"
#include "nn/ops/library_handles.cuh"
#include "nn/tensor/arena.h"

namespace genint::conv2d_detail {

TensorDescriptor::TensorDescriptor(int n, int c, int h, int w, cudnnDataType_t type) {
  GENINT_CUDNN_CHECK(cudnnSetTensor4dDescriptor(get(), CUDNN_TENSOR_NCHW, type, n, c, h, w));
}

FilterDescriptor::FilterDescriptor(const Conv2dShape& shape, cudnnDataType_t type) {
  GENINT_CUDNN_CHECK(cudnnSetFilter4dDescriptor(get(), type, CUDNN_TENSOR_NCHW, shape.out_channels,
                                                shape.in_channels / shape.groups, shape.kernel_height,
                                                shape.kernel_width));
}

ConvolutionDescriptor::ConvolutionDescriptor(const Conv2dShape& shape) {
  GENINT_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(get(), shape.pad_height, shape.pad_width, shape.stride_height,
                                                     shape.stride_width, shape.dilation_height, shape.dilation_width,
                                                     CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
  GENINT_CUDNN_CHECK(cudnnSetConvolutionGroupCount(get(), shape.groups));
}
void ConvolutionDescriptor::set_math(cudnnMathType_t math) {
  GENINT_CUDNN_CHECK(cudnnSetConvolutionMathType(get(), math));
}

ConvPlan::ConvPlan(const Conv2dShape& shape, bool bf16_mode)
    : bf16(bf16_mode),
      input(shape.batch, shape.in_channels, shape.in_height, shape.in_width, convolved_type()),
      output(shape.batch, shape.out_channels, shape.out_height(), shape.out_width(), convolved_type()),
      output_float(shape.batch, shape.out_channels, shape.out_height(), shape.out_width(), CUDNN_DATA_FLOAT),
      bias(1, shape.out_channels, 1, 1, CUDNN_DATA_FLOAT),
      filter(shape, convolved_type()),
      forward_convolution(shape),
      data_convolution(shape),
      filter_convolution(shape) {}

namespace {

// Algorithms wanting more scratch than this are passed over: FFT variants can ask for gigabytes.
constexpr std::size_t kMaxWorkspaceBytes = std::size_t{256} << 20;

// Each part of the workspace (cuDNN's scratch, the bf16 operand copies) starts on an arena allocation's boundary.
void lay_out_workspace(ConvPlan& plan, const Conv2dShape& shape) {
  plan.workspace_bytes = Arena::round_up(plan.cudnn_workspace_bytes);
  if (!plan.bf16) return;
  const auto bf16_bytes = [](std::int64_t elements) {
    return Arena::round_up(static_cast<std::size_t>(elements) * sizeof(std::uint16_t));
  };
  plan.input_copy_offset = plan.workspace_bytes;
  plan.weight_copy_offset = plan.input_copy_offset + bf16_bytes(shape.input_elements());
  plan.output_copy_offset = plan.weight_copy_offset + bf16_bytes(shape.weight_elements());
  plan.workspace_bytes = plan.output_copy_offset + bf16_bytes(shape.output_elements());
}

struct Filters {
  bool allow_tensor_ops;  // TF32 allowed, or bf16 (what bf16 is for)
  bool deterministic;
};

// The first heuristic answer that runs, fits kMaxWorkspaceBytes and passes the filters. ALLOW_CONVERSION math is
// never taken: it may round float32 operands to FP16 (11-bit mantissa, overflow above 65504), which no option asks
// for. Without tensor ops only FMA (or DEFAULT, set to FMA below) math passes; `deterministic` keeps only answers
// cuDNN reports as bit-reproducible.
template <typename Performance>
const Performance& pick(const Performance* results, int count, const Filters& filters, const char* pass) {
  for (int index = 0; index < count; ++index) {
    const Performance& candidate = results[index];
    if (candidate.status != CUDNN_STATUS_SUCCESS || candidate.memory > kMaxWorkspaceBytes) continue;
    if (candidate.mathType == CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION) continue;
    if (!filters.allow_tensor_ops && candidate.mathType != CUDNN_FMA_MATH && candidate.mathType != CUDNN_DEFAULT_MATH)
      continue;
    if (filters.deterministic && candidate.determinism != CUDNN_DETERMINISTIC) continue;
    return candidate;
  }
  throw Error(std::string("conv2d ") + pass + ": cuDNN offers no algorithm for this shape that" +
              (filters.deterministic ? " is deterministic," : "") + " fits " +
              std::to_string(kMaxWorkspaceBytes >> 20) + " MiB of workspace and converts no operand to FP16");
}

// The exact size of the chosen algorithm under its math, held to the cap the heuristic's estimate was filtered by.
std::size_t capped_workspace(std::size_t bytes, const char* pass) {
  GENINT_CHECK(bytes <= kMaxWorkspaceBytes, std::string("conv2d ") + pass + ": the chosen algorithm needs " +
                                                std::to_string(bytes >> 20) + " MiB of workspace, over the " +
                                                std::to_string(kMaxWorkspaceBytes >> 20) + " MiB cap");
  return bytes;
}

// Without tensor ops every pass runs in FMA math: cuDNN's DEFAULT math may pick TF32 kernels on Ampere and later.
cudnnMathType_t math_for(cudnnMathType_t suggested, bool allow_tensor_ops) {
  return allow_tensor_ops ? suggested : CUDNN_FMA_MATH;
}

// Each pass: rank with the query math, pick, set the pick's math, then ask cuDNN the workspace of that algorithm
// under that math (the heuristic's `memory` is an estimate made before the math type was fixed). The three passes
// differ only in their cuDNN functions and descriptors: `rank` and `size` take the handle, then `a`, `b`,
// `convolution` and `d` in that order, and kCount is the pass's number of algorithms.
template <int kCount, typename A, typename B, typename D, typename Performance, typename Algorithm>
std::size_t choose(cudnnHandle_t handle, A a, B b, ConvolutionDescriptor& convolution, D d,
                   cudnnStatus_t (*rank)(cudnnHandle_t, A, B, cudnnConvolutionDescriptor_t, D, int, int*, Performance*),
                   cudnnStatus_t (*size)(cudnnHandle_t, A, B, cudnnConvolutionDescriptor_t, D, Algorithm, std::size_t*),
                   Algorithm& algorithm, const Filters& filters, cudnnMathType_t query, const char* pass) {
  Performance results[kCount];
  int returned = 0;
  convolution.set_math(query);
  GENINT_CUDNN_CHECK(rank(handle, a, b, convolution.get(), d, kCount, &returned, results));
  const Performance& choice = pick(results, returned, filters, pass);
  algorithm = choice.algo;
  convolution.set_math(math_for(choice.mathType, filters.allow_tensor_ops));
  std::size_t bytes = 0;
  GENINT_CUDNN_CHECK(size(handle, a, b, convolution.get(), d, algorithm, &bytes));
  return capped_workspace(bytes, pass);
}

// bf16 tensors run on tensor cores (what bf16 is for); float32 ones only when TF32 is allowed.
void choose_algorithms(ConvPlan& plan, const Conv2dShape& shape, const Conv2dOptions& options) {
  cudnnHandle_t handle = cudnn_handle_on(nullptr);  // queries only: no work is queued
  const Filters filters{options.allow_tf32 || plan.bf16, options.deterministic};
  const cudnnMathType_t query = filters.allow_tensor_ops ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
  plan.cudnn_workspace_bytes = choose<CUDNN_CONVOLUTION_FWD_ALGO_COUNT>(
      handle, plan.input.get(), plan.filter.get(), plan.forward_convolution, plan.output.get(),
      cudnnGetConvolutionForwardAlgorithm_v7, cudnnGetConvolutionForwardWorkspaceSize, plan.forward_algorithm, filters,
      query, "forward");
  if (options.forward_only) return lay_out_workspace(plan, shape);  // no backward algorithm (the key includes it)
  const std::size_t data_bytes = choose<CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT>(
      handle, plan.filter.get(), plan.output.get(), plan.data_convolution, plan.input.get(),
      cudnnGetConvolutionBackwardDataAlgorithm_v7, cudnnGetConvolutionBackwardDataWorkspaceSize, plan.data_algorithm,
      filters, query, "backward data");
  const std::size_t filter_bytes = choose<CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT>(
      handle, plan.input.get(), plan.output.get(), plan.filter_convolution, plan.filter.get(),
      cudnnGetConvolutionBackwardFilterAlgorithm_v7, cudnnGetConvolutionBackwardFilterWorkspaceSize,
      plan.filter_algorithm, filters, query, "backward filter");
  plan.cudnn_workspace_bytes = std::max({plan.cudnn_workspace_bytes, data_bytes, filter_bytes});
  lay_out_workspace(plan, shape);
}

using PlanKey =
    std::tuple<int, int, int, int, int, int, int, int, int, int, int, int, int, int, bool, bool, bool, bool, int>;

PlanKey plan_key(const Conv2dShape& s, const Conv2dOptions& options) {
  int device = 0;
  GENINT_CUDA_CHECK(cudaGetDevice(&device));
  return {s.batch,         s.in_channels,         s.in_height,          s.in_width,     s.out_channels,
          s.kernel_height, s.kernel_width,        s.stride_height,      s.stride_width, s.pad_height,
          s.pad_width,     s.dilation_height,     s.dilation_width,     s.groups,       options.allow_tf32,
          options.bf16,    options.deterministic, options.forward_only, device};
}

std::mutex& plan_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<PlanKey, std::unique_ptr<ConvPlan>>& plan_cache() {
  static std::map<PlanKey, std::unique_ptr<ConvPlan>> cache;
  return cache;
}

}  // namespace

const ConvPlan& plan_for(const Conv2dShape& shape, const Conv2dOptions& options) {
  shape.validate();
  GENINT_CHECK(shape.batch > 0, "conv2d on CUDA: batch=0 (cuDNN descriptors need at least one image)");
  const PlanKey key = plan_key(shape, options);
  const std::lock_guard<std::mutex> lock(plan_mutex());
  auto found = plan_cache().find(key);
  if (found != plan_cache().end()) return *found->second;
  auto plan = std::make_unique<ConvPlan>(shape, options.bf16);
  int n = 0, c = 0, h = 0, w = 0;
  GENINT_CUDNN_CHECK(cudnnGetConvolution2dForwardOutputDim(plan->forward_convolution.get(), plan->input.get(),
                                                           plan->filter.get(), &n, &c, &h, &w));
  GENINT_CHECK(n == shape.batch && c == shape.out_channels && h == shape.out_height() && w == shape.out_width(),
               "conv2d: cuDNN's output shape disagrees with genint's");
  choose_algorithms(*plan, shape, options);
  return *plan_cache().emplace(key, std::move(plan)).first->second;
}

std::size_t cached_plans() {
  const std::lock_guard<std::mutex> lock(plan_mutex());
  return plan_cache().size();
}

}  // namespace genint::conv2d_detail
