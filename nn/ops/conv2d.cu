// CUDA conv2d through cuDNN 9's legacy convolution API: descriptors in RAII wrappers, and for each
// distinct shape the three algorithms chosen once (cudnnGet*_v7 heuristics) and cached, as cudnn-frontend does.
// bf16 mode is cuDNN's PSEUDO_BFLOAT16 configuration (bf16 tensors, float compute) on bf16 copies of the operands.
#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>

#include "nn/core/cuda_check.h"
#include "nn/ops/bfloat16_convert.h"
#include "nn/ops/conv2d.h"

namespace genint {
namespace {

// Algorithms wanting more scratch than this are passed over: FFT variants can ask for gigabytes.
constexpr std::size_t kMaxWorkspaceBytes = std::size_t{256} << 20;
// Each part of the workspace (cuDNN's scratch, the bf16 operand copies) starts on this boundary.
constexpr std::size_t kPartAlignment = 256;

std::size_t align_part(std::size_t bytes) {
  return (bytes + kPartAlignment - 1) / kPartAlignment * kPartAlignment;
}

class TensorDescriptor {
 public:
  TensorDescriptor(int n, int c, int h, int w, cudnnDataType_t type) {
    GENINT_CUDNN_CHECK(cudnnCreateTensorDescriptor(&handle_));
    GENINT_CUDNN_CHECK(cudnnSetTensor4dDescriptor(handle_, CUDNN_TENSOR_NCHW, type, n, c, h, w));
  }
  ~TensorDescriptor() { GENINT_CUDNN_CHECK_NOTHROW(cudnnDestroyTensorDescriptor(handle_)); }
  TensorDescriptor(const TensorDescriptor&) = delete;
  TensorDescriptor& operator=(const TensorDescriptor&) = delete;
  cudnnTensorDescriptor_t get() const { return handle_; }

 private:
  cudnnTensorDescriptor_t handle_ = nullptr;
};

class FilterDescriptor {
 public:
  FilterDescriptor(const Conv2dShape& shape, cudnnDataType_t type) {
    GENINT_CUDNN_CHECK(cudnnCreateFilterDescriptor(&handle_));
    GENINT_CUDNN_CHECK(cudnnSetFilter4dDescriptor(handle_, type, CUDNN_TENSOR_NCHW, shape.out_channels,
                                                  shape.in_channels / shape.groups, shape.kernel_height,
                                                  shape.kernel_width));
  }
  ~FilterDescriptor() { GENINT_CUDNN_CHECK_NOTHROW(cudnnDestroyFilterDescriptor(handle_)); }
  FilterDescriptor(const FilterDescriptor&) = delete;
  FilterDescriptor& operator=(const FilterDescriptor&) = delete;
  cudnnFilterDescriptor_t get() const { return handle_; }

 private:
  cudnnFilterDescriptor_t handle_ = nullptr;
};

// One per pass, because each pass may run with its own math type. The compute type is float in both modes.
class ConvolutionDescriptor {
 public:
  explicit ConvolutionDescriptor(const Conv2dShape& shape) {
    GENINT_CUDNN_CHECK(cudnnCreateConvolutionDescriptor(&handle_));
    GENINT_CUDNN_CHECK(cudnnSetConvolution2dDescriptor(handle_, shape.pad_height, shape.pad_width,
                                                       shape.stride_height, shape.stride_width, shape.dilation_height,
                                                       shape.dilation_width, CUDNN_CROSS_CORRELATION,
                                                       CUDNN_DATA_FLOAT));
    GENINT_CUDNN_CHECK(cudnnSetConvolutionGroupCount(handle_, shape.groups));
  }
  ~ConvolutionDescriptor() { GENINT_CUDNN_CHECK_NOTHROW(cudnnDestroyConvolutionDescriptor(handle_)); }
  ConvolutionDescriptor(const ConvolutionDescriptor&) = delete;
  ConvolutionDescriptor& operator=(const ConvolutionDescriptor&) = delete;
  cudnnConvolutionDescriptor_t get() const { return handle_; }
  void set_math(cudnnMathType_t math) { GENINT_CUDNN_CHECK(cudnnSetConvolutionMathType(handle_, math)); }

 private:
  cudnnConvolutionDescriptor_t handle_ = nullptr;
};

// One cuDNN handle per host thread (cuDNN handles are not meant to be shared across threads).
cudnnHandle_t thread_cudnn_handle() {
  struct Owner {
    cudnnHandle_t handle = nullptr;
    ~Owner() {
      if (handle != nullptr) GENINT_CUDNN_CHECK_NOTHROW(cudnnDestroy(handle));
    }
  };
  thread_local Owner owner;
  if (owner.handle == nullptr) GENINT_CUDNN_CHECK(cudnnCreate(&owner.handle));
  return owner.handle;
}

// Everything one shape needs, built once: descriptors, an algorithm and math type per pass, scratch size.
// input, output and filter describe what cuDNN convolves (bf16 in bf16 mode); output_float and bias describe
// the float32 output the bias is added to (and its gradient taken from).
struct ConvPlan {
  ConvPlan(const Conv2dShape& shape, bool bf16_mode)
      : bf16(bf16_mode),
        input(shape.batch, shape.in_channels, shape.in_height, shape.in_width, convolved_type()),
        output(shape.batch, shape.out_channels, shape.out_height(), shape.out_width(), convolved_type()),
        output_float(shape.batch, shape.out_channels, shape.out_height(), shape.out_width(), CUDNN_DATA_FLOAT),
        bias(1, shape.out_channels, 1, 1, CUDNN_DATA_FLOAT),
        filter(shape, convolved_type()),
        forward_convolution(shape),
        data_convolution(shape),
        filter_convolution(shape) {}
  cudnnDataType_t convolved_type() const { return bf16 ? CUDNN_DATA_BFLOAT16 : CUDNN_DATA_FLOAT; }
  bool bf16;
  TensorDescriptor input, output, output_float, bias;
  FilterDescriptor filter;
  ConvolutionDescriptor forward_convolution, data_convolution, filter_convolution;
  cudnnConvolutionFwdAlgo_t forward_algorithm{};
  cudnnConvolutionBwdDataAlgo_t data_algorithm{};
  cudnnConvolutionBwdFilterAlgo_t filter_algorithm{};
  std::size_t cudnn_workspace_bytes = 0;  // cuDNN's scratch, at the workspace's start
  // bf16 mode: offsets of the bf16 copies of an input-, weight- and output-sized operand (each pass needs one
  // of each: x, w, y forward; dx, w, dy backward data; x, dw, dy backward filter).
  std::size_t input_copy_offset = 0, weight_copy_offset = 0, output_copy_offset = 0;
  std::size_t workspace_bytes = 0;  // everything the caller provides
};

void lay_out_workspace(ConvPlan& plan, const Conv2dShape& shape) {
  plan.workspace_bytes = align_part(plan.cudnn_workspace_bytes);
  if (!plan.bf16) return;
  const auto bf16_bytes = [](std::int64_t elements) {
    return align_part(static_cast<std::size_t>(elements) * sizeof(std::uint16_t));
  };
  plan.input_copy_offset = plan.workspace_bytes;
  plan.weight_copy_offset = plan.input_copy_offset + bf16_bytes(shape.input_elements());
  plan.output_copy_offset = plan.weight_copy_offset + bf16_bytes(shape.weight_elements());
  plan.workspace_bytes = plan.output_copy_offset + bf16_bytes(shape.output_elements());
}

// Index of the first heuristic answer that runs, fits kMaxWorkspaceBytes and, without tensor ops allowed (float32
// without TF32), uses no tensor-op math.
template <typename Performance>
const Performance& pick(const Performance* results, int count, bool allow_tensor_ops, const char* pass) {
  for (int index = 0; index < count; ++index) {
    const Performance& candidate = results[index];
    if (candidate.status != CUDNN_STATUS_SUCCESS || candidate.memory > kMaxWorkspaceBytes) continue;
    if (!allow_tensor_ops && candidate.mathType != CUDNN_FMA_MATH && candidate.mathType != CUDNN_DEFAULT_MATH)
      continue;
    return candidate;
  }
  throw Error(std::string("conv2d ") + pass + ": cuDNN offers no usable algorithm for this shape");
}

// Without tensor ops every pass runs in FMA math: cuDNN's DEFAULT math may pick TF32 kernels on Ampere and later.
cudnnMathType_t math_for(cudnnMathType_t suggested, bool allow_tensor_ops) {
  return allow_tensor_ops ? suggested : CUDNN_FMA_MATH;
}

// bf16 tensors run on tensor cores (what bf16 is for); float32 ones only when TF32 is allowed.
void choose_algorithms(ConvPlan& plan, const Conv2dShape& shape, bool allow_tf32) {
  cudnnHandle_t handle = thread_cudnn_handle();
  const bool allow_tensor_ops = allow_tf32 || plan.bf16;
  const cudnnMathType_t query_math = allow_tensor_ops ? CUDNN_TENSOR_OP_MATH : CUDNN_FMA_MATH;
  int returned = 0;
  cudnnConvolutionFwdAlgoPerf_t forward[CUDNN_CONVOLUTION_FWD_ALGO_COUNT];
  plan.forward_convolution.set_math(query_math);
  GENINT_CUDNN_CHECK(cudnnGetConvolutionForwardAlgorithm_v7(handle, plan.input.get(), plan.filter.get(),
                                                            plan.forward_convolution.get(), plan.output.get(),
                                                            CUDNN_CONVOLUTION_FWD_ALGO_COUNT, &returned, forward));
  const auto& forward_choice = pick(forward, returned, allow_tensor_ops, "forward");
  plan.forward_algorithm = forward_choice.algo;
  plan.forward_convolution.set_math(math_for(forward_choice.mathType, allow_tensor_ops));

  cudnnConvolutionBwdDataAlgoPerf_t data[CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT];
  plan.data_convolution.set_math(query_math);
  GENINT_CUDNN_CHECK(cudnnGetConvolutionBackwardDataAlgorithm_v7(handle, plan.filter.get(), plan.output.get(),
                                                                 plan.data_convolution.get(), plan.input.get(),
                                                                 CUDNN_CONVOLUTION_BWD_DATA_ALGO_COUNT, &returned, data));
  const auto& data_choice = pick(data, returned, allow_tensor_ops, "backward data");
  plan.data_algorithm = data_choice.algo;
  plan.data_convolution.set_math(math_for(data_choice.mathType, allow_tensor_ops));

  cudnnConvolutionBwdFilterAlgoPerf_t filter[CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT];
  plan.filter_convolution.set_math(query_math);
  GENINT_CUDNN_CHECK(cudnnGetConvolutionBackwardFilterAlgorithm_v7(
      handle, plan.input.get(), plan.output.get(), plan.filter_convolution.get(), plan.filter.get(),
      CUDNN_CONVOLUTION_BWD_FILTER_ALGO_COUNT, &returned, filter));
  const auto& filter_choice = pick(filter, returned, allow_tensor_ops, "backward filter");
  plan.filter_algorithm = filter_choice.algo;
  plan.filter_convolution.set_math(math_for(filter_choice.mathType, allow_tensor_ops));

  plan.cudnn_workspace_bytes = std::max({forward_choice.memory, data_choice.memory, filter_choice.memory});
  lay_out_workspace(plan, shape);
}

using PlanKey = std::tuple<int, int, int, int, int, int, int, int, int, int, int, int, int, int, bool, bool, int>;

PlanKey plan_key(const Conv2dShape& s, const Conv2dCudaOptions& options) {
  int device = 0;
  GENINT_CUDA_CHECK(cudaGetDevice(&device));
  return {s.batch,          s.in_channels,   s.in_height,     s.in_width,         s.out_channels, s.kernel_height,
          s.kernel_width,   s.stride_height, s.stride_width,  s.pad_height,       s.pad_width,    s.dilation_height,
          s.dilation_width, s.groups,        options.allow_tf32, options.bf16,   device};
}

std::mutex& plan_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<PlanKey, std::unique_ptr<ConvPlan>>& plan_cache() {
  static std::map<PlanKey, std::unique_ptr<ConvPlan>> cache;
  return cache;
}

// Plans are never evicted, so the reference stays valid; descriptors are only read after construction.
const ConvPlan& plan_for(const Conv2dShape& shape, const Conv2dCudaOptions& options) {
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
  choose_algorithms(*plan, shape, options.allow_tf32);
  return *plan_cache().emplace(key, std::move(plan)).first->second;
}

cudnnHandle_t handle_on(void* stream) {
  cudnnHandle_t handle = thread_cudnn_handle();
  GENINT_CUDNN_CHECK(cudnnSetStream(handle, static_cast<cudaStream_t>(stream)));
  return handle;
}

const ConvPlan& checked_plan_for(const Conv2dShape& shape, const Conv2dCudaOptions& options,
                                 std::size_t workspace_bytes) {
  const ConvPlan& plan = plan_for(shape, options);
  GENINT_CHECK(workspace_bytes >= plan.workspace_bytes,
               "conv2d: workspace of " + std::to_string(workspace_bytes) + " bytes, the chosen algorithms need " +
                   std::to_string(plan.workspace_bytes) + " (size it with conv2d_cuda_workspace_bytes)");
  return plan;
}

// The three operand roles; each pass reads two of them and writes the third.
enum class Operand { Input, Weight, Output };

// What every pass starts from: the shape's plan (the caller's workspace checked against it), this thread's cuDNN
// handle on the caller's stream, and where the operands live for cuDNN: the caller's float32 arrays, or (bf16
// mode) their bf16 copies in the workspace. read() queues the rounding of a float32 operand into its copy;
// finish() widens a written result back.
class ConvPass {
 public:
  ConvPass(const Conv2dShape& shape, const Conv2dCudaOptions& options, void* workspace, std::size_t workspace_bytes)
      : shape_(shape),
        plan_(checked_plan_for(shape, options, workspace_bytes)),
        handle_(handle_on(options.stream)),
        workspace_(workspace),
        stream_(options.stream) {}

  const ConvPlan& plan() const { return plan_; }
  cudnnHandle_t handle() const { return handle_; }

  // The operand cuDNN reads: `source` itself in float32 mode, else its bf16 copy.
  const void* read(Operand operand, const float* source) const {
    if (!plan_.bf16) return source;
    std::uint16_t* copy = copy_of(operand);
    float_to_bfloat16_cuda(source, elements(operand), copy, stream_);
    return copy;
  }
  // The buffer cuDNN writes: `destination` in float32 mode, else the bf16 copy (widened by finish()).
  void* write(Operand operand, float* destination) const {
    return plan_.bf16 ? static_cast<void*>(copy_of(operand)) : static_cast<void*>(destination);
  }
  void finish(Operand operand, float* destination) const {
    if (plan_.bf16) bfloat16_to_float_cuda(copy_of(operand), elements(operand), destination, stream_);
  }

 private:
  std::int64_t elements(Operand operand) const {
    if (operand == Operand::Input) return shape_.input_elements();
    return operand == Operand::Weight ? shape_.weight_elements() : shape_.output_elements();
  }
  std::uint16_t* copy_of(Operand operand) const {
    const std::size_t offset = operand == Operand::Input    ? plan_.input_copy_offset
                               : operand == Operand::Weight ? plan_.weight_copy_offset
                                                            : plan_.output_copy_offset;
    return reinterpret_cast<std::uint16_t*>(static_cast<std::uint8_t*>(workspace_) + offset);
  }

  const Conv2dShape& shape_;
  const ConvPlan& plan_;
  cudnnHandle_t handle_;
  void* workspace_;
  void* stream_;
};

}  // namespace

std::size_t conv2d_cuda_workspace_bytes(const Conv2dShape& shape, const Conv2dCudaOptions& options) {
  return plan_for(shape, options).workspace_bytes;
}

std::size_t conv2d_cuda_cached_plans() {
  const std::lock_guard<std::mutex> lock(plan_mutex());
  return plan_cache().size();
}

void conv2d_forward_cuda(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                         float* output, void* workspace, std::size_t workspace_bytes,
                         const Conv2dCudaOptions& options) {
  const ConvPass pass(shape, options, workspace, workspace_bytes);
  const ConvPlan& plan = pass.plan();
  const void* x = pass.read(Operand::Input, input);
  const void* w = pass.read(Operand::Weight, weight);
  void* y = pass.write(Operand::Output, output);
  const float one = 1.0f, zero = 0.0f;
  GENINT_CUDNN_CHECK(cudnnConvolutionForward(pass.handle(), &one, plan.input.get(), x, plan.filter.get(), w,
                                             plan.forward_convolution.get(), plan.forward_algorithm, workspace,
                                             plan.cudnn_workspace_bytes, &zero, plan.output.get(), y));
  pass.finish(Operand::Output, output);
  if (bias != nullptr)
    GENINT_CUDNN_CHECK(
        cudnnAddTensor(pass.handle(), &one, plan.bias.get(), bias, &one, plan.output_float.get(), output));
}

void conv2d_backward_data_cuda(const Conv2dShape& shape, const float* output_grad, const float* weight,
                               float* input_grad, void* workspace, std::size_t workspace_bytes,
                               const Conv2dCudaOptions& options) {
  const ConvPass pass(shape, options, workspace, workspace_bytes);
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

void conv2d_backward_weight_cuda(const Conv2dShape& shape, const float* input, const float* output_grad,
                                 float* weight_grad, float* bias_grad, void* workspace, std::size_t workspace_bytes,
                                 const Conv2dCudaOptions& options) {
  const ConvPass pass(shape, options, workspace, workspace_bytes);
  const ConvPlan& plan = pass.plan();
  const void* x = pass.read(Operand::Input, input);
  const void* dy = pass.read(Operand::Output, output_grad);
  void* dw = pass.write(Operand::Weight, weight_grad);
  const float one = 1.0f, zero = 0.0f;
  // beta = 0: gradients are written, not accumulated, as on the CPU (an empty batch writes zeros).
  GENINT_CUDNN_CHECK(cudnnConvolutionBackwardFilter(pass.handle(), &one, plan.input.get(), x, plan.output.get(), dy,
                                                    plan.filter_convolution.get(), plan.filter_algorithm, workspace,
                                                    plan.cudnn_workspace_bytes, &zero, plan.filter.get(), dw));
  pass.finish(Operand::Weight, weight_grad);
  // The bias gradient sums the float32 output gradient (no rounding), as the float32 bias add it belongs to.
  if (bias_grad != nullptr)
    GENINT_CUDNN_CHECK(cudnnConvolutionBackwardBias(pass.handle(), &one, plan.output_float.get(), output_grad, &zero,
                                                    plan.bias.get(), bias_grad));
}

}  // namespace genint
