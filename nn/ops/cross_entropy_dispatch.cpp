// Dispatch file for cross-entropy: in a CPU-only build the CUDA entry points exist and say why they cannot run,
// so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/cross_entropy.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void cross_entropy_forward_cuda(const float*, const std::int32_t*, const float*, int, int, float*, float*, void*) {
  throw_no_cuda("cross_entropy_forward_cuda");
}
void cross_entropy_backward_cuda(const float*, const std::int32_t*, const float*, int, int, float*, void*) {
  throw_no_cuda("cross_entropy_backward_cuda");
}
#endif

}  // namespace genint
