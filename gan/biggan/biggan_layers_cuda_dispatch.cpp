// Dispatch file for biggan_layers_cuda.h: in a CPU-only build the CUDA entry points exist and say why they
// cannot run, so the CUDA generator and its tests link the same way in every build.
#include <string>

#include "gan/biggan/biggan_layers_cuda.h"
#include "nn/core/error.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* function) {
  throw Error(std::string(function) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void biggan_features_to_nchw_cuda(const float*, int, int, int, float*, void*) {
  throw_no_cuda("biggan_features_to_nchw_cuda");
}
void biggan_add_skip_cuda(const float*, const SkipShape&, float*, void*) {
  throw_no_cuda("biggan_add_skip_cuda");
}
void biggan_add_scaled_cuda(const float*, float, std::int64_t, float*, void*) {
  throw_no_cuda("biggan_add_scaled_cuda");
}
void biggan_add_constant_cuda(float*, float, std::int64_t, void*) {
  throw_no_cuda("biggan_add_constant_cuda");
}
void biggan_attention_scores_cuda(const BigGanAttentionShape&, const float*, const float*, float*,
                                  const LinearCudaOptions&) {
  throw_no_cuda("biggan_attention_scores_cuda");
}
void biggan_attention_values_cuda(const BigGanAttentionShape&, const float*, const float*, float*,
                                  const LinearCudaOptions&) {
  throw_no_cuda("biggan_attention_values_cuda");
}
#endif

}  // namespace genint
