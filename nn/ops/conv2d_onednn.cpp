// CPU conv2d on oneDNN (PyTorch's own CPU convolution library): per (shape, threads, bias) the three passes' primitives
// and reorders from and to NCHW (layouts of oneDNN's choosing), built once and cached; run in the caller's workspace.
#include <omp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <dnnl.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "nn/core/error.h"
#include "nn/ops/conv2d_cpu_backends.h"

namespace genint::conv2d_onednn {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;

// Every buffer carved from the workspace starts on a cache line, which oneDNN's vector kernels want.
constexpr std::size_t kAlignment = 64;

std::size_t aligned(std::size_t bytes) {
  return (bytes + kAlignment - 1) / kAlignment * kAlignment;
}

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

dnnl::primitive_attr user_scratchpad() {
  dnnl::primitive_attr attributes;
  attributes.set_scratchpad_mode(dnnl::scratchpad_mode::user);  // scratch comes from the caller's workspace
  return attributes;
}

memory::desc f32(const memory::dims& dims, Tag tag) {
  return memory::desc(dims, memory::data_type::f32, tag);
}

// One operand of a primitive: the caller's layout (NCHW, OIHW or GOIHW), the primitive's, and when they differ the
// reorder into the primitive's layout (an operand it reads) or out of it (one it writes).
struct Operand {
  int argument = 0;  // DNNL_ARG_*
  bool read = true;
  memory::desc user, chosen;
  dnnl::reorder reorder;
  std::size_t reorder_scratchpad = 0;

  bool converted() const { return user != chosen; }
  std::size_t buffer_bytes() const { return converted() ? aligned(chosen.get_size()) : 0; }
};

Operand make_operand(int argument, bool read, const memory::desc& user, const memory::desc& chosen) {
  Operand operand{argument, read, user, chosen, {}, 0};
  if (!operand.converted()) return operand;
  const dnnl::reorder::primitive_desc reorder(cpu_engine(), read ? user : chosen, cpu_engine(), read ? chosen : user,
                                              user_scratchpad());
  operand.reorder_scratchpad = reorder.scratchpad_desc().get_size();
  operand.reorder = dnnl::reorder(reorder);
  return operand;
}

// One primitive and its operands. Workspace: one scratchpad region (the primitive and its reorders run one after
// another, so they share it), then a buffer per converted operand.
struct Pass {
  dnnl::primitive primitive;
  std::size_t scratchpad_bytes = 0;
  std::vector<Operand> operands;

  void add(Operand operand) {
    scratchpad_bytes = std::max(scratchpad_bytes, operand.reorder_scratchpad);
    operands.push_back(std::move(operand));
  }
  std::size_t workspace_bytes() const {
    std::size_t bytes = kAlignment + aligned(scratchpad_bytes);  // kAlignment: slack to align the caller's pointer
    for (const Operand& operand : operands) bytes += operand.buffer_bytes();
    return bytes;
  }
};

template <typename Primitive>
Pass make_pass(const typename Primitive::primitive_desc& descriptor) {
  Pass pass;
  pass.scratchpad_bytes = descriptor.scratchpad_desc().get_size();
  pass.primitive = Primitive(descriptor);  // JIT-compiles the kernel once
  return pass;
}

// The user layouts and geometry of a shape, in oneDNN's terms (its dilation counts the gaps: PyTorch's minus 1).
struct Geometry {
  memory::desc source, weights, bias, destination;
  memory::dims strides, dilations, padding;
  memory::desc any(const memory::desc& user) const { return f32(user.dims(), Tag::any); }
};

Geometry geometry_of(const Conv2dShape& s) {
  Geometry g;
  g.source = f32({s.batch, s.in_channels, s.in_height, s.in_width}, Tag::nchw);
  g.destination = f32({s.batch, s.out_channels, s.out_height(), s.out_width()}, Tag::nchw);
  g.weights =
      s.groups == 1
          ? f32({s.out_channels, s.in_channels, s.kernel_height, s.kernel_width}, Tag::oihw)
          : f32({s.groups, s.out_channels / s.groups, s.in_channels / s.groups, s.kernel_height, s.kernel_width},
                Tag::goihw);
  g.bias = f32({s.out_channels}, Tag::x);
  g.strides = {s.stride_height, s.stride_width};
  g.dilations = {s.dilation_height - 1, s.dilation_width - 1};
  g.padding = {s.pad_height, s.pad_width};  // both sides, as torch's conv2d (floor division drops the excess)
  return g;
}

// The three passes of one (shape, threads, bias). Direct convolution, as PyTorch's oneDNN path (ideep) asks for.
struct Plan {
  Pass forward, backward_data, backward_weights;
  std::size_t workspace_bytes() const {
    return std::max({forward.workspace_bytes(), backward_data.workspace_bytes(), backward_weights.workspace_bytes()});
  }
};

Plan build_plan(const Conv2dShape& s, bool bias) {
  const Geometry g = geometry_of(s);
  const auto direct = dnnl::algorithm::convolution_direct;
  const memory::desc bias_md = bias ? g.bias : memory::desc();
  const dnnl::convolution_forward::primitive_desc forward(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training, direct, g.any(g.source), g.any(g.weights),
                                      bias_md, g.any(g.destination), g.strides, g.dilations, g.padding, g.padding),
      user_scratchpad(), cpu_engine());
  const dnnl::convolution_backward_data::primitive_desc data(
      dnnl::convolution_backward_data::desc(direct, g.any(g.source), g.any(g.weights), g.any(g.destination), g.strides,
                                            g.dilations, g.padding, g.padding),
      user_scratchpad(), cpu_engine(), forward);
  const dnnl::convolution_backward_weights::primitive_desc weights(
      dnnl::convolution_backward_weights::desc(direct, g.any(g.source), g.any(g.weights), bias_md, g.any(g.destination),
                                               g.strides, g.dilations, g.padding, g.padding),
      user_scratchpad(), cpu_engine(), forward);
  Plan plan;
  plan.forward = make_pass<dnnl::convolution_forward>(forward);
  plan.forward.add(make_operand(DNNL_ARG_SRC, true, g.source, forward.src_desc()));
  plan.forward.add(make_operand(DNNL_ARG_WEIGHTS, true, g.weights, forward.weights_desc()));
  if (bias) plan.forward.add(make_operand(DNNL_ARG_BIAS, true, g.bias, forward.bias_desc()));
  plan.forward.add(make_operand(DNNL_ARG_DST, false, g.destination, forward.dst_desc()));
  plan.backward_data = make_pass<dnnl::convolution_backward_data>(data);
  plan.backward_data.add(make_operand(DNNL_ARG_DIFF_DST, true, g.destination, data.diff_dst_desc()));
  plan.backward_data.add(make_operand(DNNL_ARG_WEIGHTS, true, g.weights, data.weights_desc()));
  plan.backward_data.add(make_operand(DNNL_ARG_DIFF_SRC, false, g.source, data.diff_src_desc()));
  plan.backward_weights = make_pass<dnnl::convolution_backward_weights>(weights);
  plan.backward_weights.add(make_operand(DNNL_ARG_SRC, true, g.source, weights.src_desc()));
  plan.backward_weights.add(make_operand(DNNL_ARG_DIFF_DST, true, g.destination, weights.diff_dst_desc()));
  plan.backward_weights.add(make_operand(DNNL_ARG_DIFF_WEIGHTS, false, g.weights, weights.diff_weights_desc()));
  if (bias) plan.backward_weights.add(make_operand(DNNL_ARG_DIFF_BIAS, false, g.bias, weights.diff_bias_desc()));
  return plan;
}

// oneDNN sizes its kernels' per-thread scratch for OpenMP's thread count when a primitive is made, so plans are made
// and kept per thread count; this holds OpenMP at the count asked for while one is made.
class OpenMpThreads {
 public:
  explicit OpenMpThreads(int threads) : previous_(omp_get_max_threads()) { omp_set_num_threads(threads); }
  ~OpenMpThreads() { omp_set_num_threads(previous_); }
  OpenMpThreads(const OpenMpThreads&) = delete;
  OpenMpThreads& operator=(const OpenMpThreads&) = delete;

 private:
  int previous_;
};

using PlanKey = std::array<int, 16>;

std::mutex& plan_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<PlanKey, std::unique_ptr<Plan>>& plan_cache() {
  static std::map<PlanKey, std::unique_ptr<Plan>> cache;  // never evicted: a model has a handful of shapes
  return cache;
}

const Plan& plan_for(const Conv2dShape& s, bool bias, int threads) {
  const PlanKey key{s.batch,          s.in_channels,   s.in_height,    s.in_width,   s.out_channels, s.kernel_height,
                    s.kernel_width,   s.stride_height, s.stride_width, s.pad_height, s.pad_width,    s.dilation_height,
                    s.dilation_width, s.groups,        threads,        bias ? 1 : 0};
  // Plans are built under the lock on purpose: oneDNN's primitive cache hands one thread's primitive descriptors
  // to another, synchronised inside the uninstrumented libdnnl, so concurrent builds read as races under TSan.
  const std::lock_guard<std::mutex> lock(plan_mutex());
  auto found = plan_cache().find(key);
  if (found != plan_cache().end()) return *found->second;
  const OpenMpThreads hold(threads);
  return *plan_cache().emplace(key, std::make_unique<Plan>(build_plan(s, bias))).first->second;
}

std::string describe(const Conv2dShape& s) {
  auto text = [](int a, int b) { return std::to_string(a) + "x" + std::to_string(b); };
  return "input " + std::to_string(s.batch) + "x" + std::to_string(s.in_channels) + "x" +
         text(s.in_height, s.in_width) + ", " + std::to_string(s.out_channels) + " outputs, kernel " +
         text(s.kernel_height, s.kernel_width) + ", stride " + text(s.stride_height, s.stride_width) + ", padding " +
         text(s.pad_height, s.pad_width) + ", dilation " + text(s.dilation_height, s.dilation_width) + ", groups " +
         std::to_string(s.groups);
}

// A oneDNN failure as genint's device-library error: its status, its text and which pass of which shape failed.
template <typename Body>
auto guarded(const char* pass, const Conv2dShape& s, Body body) {
  try {
    return body();
  } catch (const dnnl::error& failure) {
    throw DeviceLibraryError("oneDNN", static_cast<long>(failure.status), failure.what(),
                             std::string("conv2d ") + pass + " (" + describe(s) + ")", __FILE__, __LINE__);
  }
}

// Runs `pass` with the caller's data (one pointer per operand, in the pass's order): reorders what the primitive
// reads into its layout, executes it, reorders what it writes back to the caller's layout.
void run(const Pass& pass, const std::array<const float*, 4>& data, float* workspace) {
  const auto address = reinterpret_cast<std::uintptr_t>(workspace);
  auto* cursor = reinterpret_cast<char*>(workspace) + (aligned(address) - address);
  const memory::desc scratchpad_md({static_cast<memory::dim>(std::max<std::size_t>(pass.scratchpad_bytes, 1))},
                                   memory::data_type::u8, Tag::a);
  const memory scratchpad(scratchpad_md, cpu_engine(), cursor);
  cursor += aligned(pass.scratchpad_bytes);
  thread_local dnnl::stream stream(cpu_engine());
  std::unordered_map<int, memory> arguments{{DNNL_ARG_SCRATCHPAD, scratchpad}};
  std::vector<std::pair<const Operand*, std::pair<memory, memory>>> written;
  for (std::size_t index = 0; index < pass.operands.size(); ++index) {
    const Operand& operand = pass.operands[index];
    // oneDNN takes non-const handles; an operand the pass reads is only read.
    const memory user(operand.user, cpu_engine(), const_cast<float*>(data[index]));
    if (!operand.converted()) {
      arguments.emplace(operand.argument, user);
      continue;
    }
    const memory chosen(operand.chosen, cpu_engine(), cursor);
    cursor += operand.buffer_bytes();
    arguments.emplace(operand.argument, chosen);
    if (operand.read)
      operand.reorder.execute(stream,
                              {{DNNL_ARG_FROM, user}, {DNNL_ARG_TO, chosen}, {DNNL_ARG_SCRATCHPAD, scratchpad}});
    else
      written.push_back({&operand, {chosen, user}});
  }
  pass.primitive.execute(stream, arguments);
  for (const auto& [operand, memories] : written)
    operand->reorder.execute(
        stream, {{DNNL_ARG_FROM, memories.first}, {DNNL_ARG_TO, memories.second}, {DNNL_ARG_SCRATCHPAD, scratchpad}});
  stream.wait();
}

// Bytes any pass of `shape` may need at `threads` threads: the largest of both bias variants' plans.
std::size_t workspace_bytes(const Conv2dShape& shape, int threads) {
  return std::max(plan_for(shape, false, threads).workspace_bytes(), plan_for(shape, true, threads).workspace_bytes());
}

// Every pass asks for the workspace all three are sized for, as the im2col backend does, so a workspace too small
// for some pass fails on every pass, at the first call.
void check_workspace(const Conv2dShape& shape, std::size_t workspace_floats, const char* pass) {
  const int threads = cpu_conv_threads();
  const std::size_t needed = (workspace_bytes(shape, threads) + sizeof(float) - 1) / sizeof(float);
  GENINT_CHECK(workspace_floats >= needed, std::string("conv2d ") + pass + " (oneDNN): workspace of " +
                                               std::to_string(workspace_floats) + " floats, the primitives need " +
                                               std::to_string(needed) + " at " + std::to_string(threads) +
                                               " threads (size it with conv2d_cpu_workspace_floats)");
}

}  // namespace

std::size_t workspace_floats(const Conv2dShape& shape, int threads) {
  if (shape.batch == 0) return 0;
  return guarded("planning", shape, [&] {
    // Sized for both bias variants: the caller may run either with this workspace.
    return (workspace_bytes(shape, threads) + sizeof(float) - 1) / sizeof(float);
  });
}

void forward(const Conv2dShape& shape, const float* input, const float* weight, const float* bias, float* output,
             float* workspace, std::size_t workspace_floats) {
  if (shape.batch == 0) return;
  guarded("forward", shape, [&] {
    check_workspace(shape, workspace_floats, "forward");
    const Plan& plan = plan_for(shape, bias != nullptr, cpu_conv_threads());
    const std::array<const float*, 4> data = bias != nullptr
                                                 ? std::array<const float*, 4>{input, weight, bias, output}
                                                 : std::array<const float*, 4>{input, weight, output, nullptr};
    run(plan.forward, data, workspace);
  });
}

void backward_data(const Conv2dShape& shape, const float* output_grad, const float* weight, float* input_grad,
                   float* workspace, std::size_t workspace_floats) {
  if (shape.batch == 0) return;
  guarded("backward data", shape, [&] {
    check_workspace(shape, workspace_floats, "backward data");
    const Plan& plan = plan_for(shape, false, cpu_conv_threads());
    run(plan.backward_data, {output_grad, weight, input_grad, nullptr}, workspace);
  });
}

void backward_weight(const Conv2dShape& shape, const float* input, const float* output_grad, float* weight_grad,
                     float* bias_grad, float* workspace, std::size_t workspace_floats) {
  if (shape.batch == 0) {  // no terms: the gradients are zero
    std::fill(weight_grad, weight_grad + shape.weight_elements(), 0.0f);
    if (bias_grad != nullptr) std::fill(bias_grad, bias_grad + shape.out_channels, 0.0f);
    return;
  }
  guarded("backward weight", shape, [&] {
    check_workspace(shape, workspace_floats, "backward weight");
    const Plan& plan = plan_for(shape, bias_grad != nullptr, cpu_conv_threads());
    run(plan.backward_weights, {input, output_grad, weight_grad, bias_grad}, workspace);
  });
}

std::size_t cached_plans() {
  const std::lock_guard<std::mutex> lock(plan_mutex());
  return plan_cache().size();
}

}  // namespace genint::conv2d_onednn
