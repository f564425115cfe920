// Dispatch file for conditional batch norm: in a CPU-only build the CUDA entry points exist and say why they cannot
// run, so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/conditional_batch_norm.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void conditional_batch_norm_forward_cuda(const float*, const ConditionalBatchNormShape&, const float*, const float*,
                                         const float*, const float*, float, float*, void*) {
  throw_no_cuda("conditional_batch_norm_forward_cuda");
}
#endif

}  // namespace genint
