// Dispatch file for batch norm: in a CPU-only build the CUDA entry points exist and say why they cannot run,
// so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/batch_norm.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void batch_norm_forward_train_cuda(const float*, const BatchNormShape&, const float*, const float*, float, float,
                                   float*, float*, float*, float*, float*, void*) {
  throw_no_cuda("batch_norm_forward_train_cuda");
}
void batch_norm_forward_eval_cuda(const float*, const BatchNormShape&, const float*, const float*, const float*,
                                  const float*, float, float*, void*) {
  throw_no_cuda("batch_norm_forward_eval_cuda");
}
void batch_norm_backward_cuda(const float*, const float*, const BatchNormShape&, const float*, const float*,
                              const float*, float*, float*, float*, void*) {
  throw_no_cuda("batch_norm_backward_cuda");
}
#endif

}  // namespace genint
