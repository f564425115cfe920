// Dispatch file for max pooling: in a CPU-only build the CUDA entry points exist and say why they cannot run,
// so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/max_pool.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void max_pool_forward_cuda(const float*, const MaxPoolShape&, float*, std::int32_t*, void*) {
  throw_no_cuda("max_pool_forward_cuda");
}
void max_pool_backward_cuda(const float*, const std::int32_t*, const MaxPoolShape&, float*, void*) {
  throw_no_cuda("max_pool_backward_cuda");
}
#endif

}  // namespace genint
