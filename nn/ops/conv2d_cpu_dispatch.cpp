// conv2d.h's raw-pointer CPU kernels: validate the shape, then run the backend GENINT_CPU_CONV names (oneDNN by
// default where built, else im2col + sgemm), read once per process so every call of a run uses the same one.
#include <omp.h>

#include <cstdlib>
#include <string>

#include "nn/core/error.h"
#include "nn/ops/conv2d.h"
#include "nn/ops/conv2d_cpu_backends.h"

#ifndef GENINT_WITH_ONEDNN
#define GENINT_WITH_ONEDNN 0
#endif

namespace genint {

bool cpu_conv_onednn_built() {
  return GENINT_WITH_ONEDNN != 0;
}

int cpu_conv_threads() {
  return omp_in_parallel() ? 1 : omp_get_max_threads();
}

CpuConvBackend parse_cpu_conv_backend(const char* value) {
  const std::string text = value == nullptr ? "" : value;
  if (text.empty()) return cpu_conv_onednn_built() ? CpuConvBackend::OneDnn : CpuConvBackend::Im2col;
  if (text == "im2col") return CpuConvBackend::Im2col;
  if (text == "onednn") {
    if (!cpu_conv_onednn_built())
      throw Error(
          "GENINT_CPU_CONV=onednn, but this genint was built without oneDNN (configure with GENINT_ONEDNN=ON "
          "after apt-get install libdnnl-dev, or set GENINT_CPU_CONV=im2col)",
          Status::InvalidConfig);
    return CpuConvBackend::OneDnn;
  }
  throw Error("GENINT_CPU_CONV='" + text + "' is not a CPU convolution backend: use onednn or im2col (unset: " +
                  (cpu_conv_onednn_built() ? "onednn" : "im2col") + ")",
              Status::InvalidConfig);
}

CpuConvBackend cpu_conv_backend() {
  // A bad value throws from every call (a throwing static initialiser is retried), never silently falls back.
  static const CpuConvBackend backend = parse_cpu_conv_backend(std::getenv("GENINT_CPU_CONV"));
  return backend;
}

#if !GENINT_WITH_ONEDNN
// Never reached: parse_cpu_conv_backend refuses "onednn" in this build. Defined so the dispatch below links.
namespace conv2d_onednn {
namespace {
[[noreturn]] void not_built() {
  throw Error("conv2d: this genint was built without oneDNN (GENINT_ONEDNN=OFF or libdnnl-dev missing)");
}
}  // namespace
std::size_t workspace_floats(const Conv2dShape&, int) {
  not_built();
}
void forward(const Conv2dShape&, const float*, const float*, const float*, float*, float*, std::size_t) {
  not_built();
}
void backward_data(const Conv2dShape&, const float*, const float*, float*, float*, std::size_t) {
  not_built();
}
void backward_weight(const Conv2dShape&, const float*, const float*, float*, float*, float*, std::size_t) {
  not_built();
}
std::size_t cached_plans() {
  return 0;
}
}  // namespace conv2d_onednn
#endif

std::size_t conv2d_cpu_workspace_floats(const Conv2dShape& shape, int threads) {
  shape.validate();
  GENINT_CHECK(threads > 0, "conv2d_cpu_workspace_floats: threads=" + std::to_string(threads));
  if (cpu_conv_backend() == CpuConvBackend::OneDnn) return conv2d_onednn::workspace_floats(shape, threads);
  return conv2d_im2col::workspace_floats(shape, threads);
}

void conv2d_forward_cpu(const Conv2dShape& shape, const float* input, const float* weight, const float* bias,
                        float* output, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  if (cpu_conv_backend() == CpuConvBackend::OneDnn)
    return conv2d_onednn::forward(shape, input, weight, bias, output, workspace, workspace_floats);
  conv2d_im2col::forward(shape, input, weight, bias, output, workspace, workspace_floats);
}

void conv2d_backward_data_cpu(const Conv2dShape& shape, const float* output_grad, const float* weight,
                              float* input_grad, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  if (cpu_conv_backend() == CpuConvBackend::OneDnn)
    return conv2d_onednn::backward_data(shape, output_grad, weight, input_grad, workspace, workspace_floats);
  conv2d_im2col::backward_data(shape, output_grad, weight, input_grad, workspace, workspace_floats);
}

void conv2d_backward_weight_cpu(const Conv2dShape& shape, const float* input, const float* output_grad,
                                float* weight_grad, float* bias_grad, float* workspace, std::size_t workspace_floats) {
  shape.validate();
  if (cpu_conv_backend() == CpuConvBackend::OneDnn)
    return conv2d_onednn::backward_weight(shape, input, output_grad, weight_grad, bias_grad, workspace,
                                          workspace_floats);
  conv2d_im2col::backward_weight(shape, input, output_grad, weight_grad, bias_grad, workspace, workspace_floats);
}

}  // namespace genint
