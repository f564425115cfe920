// Dispatch file for softmax: in a CPU-only build the CUDA entry points exist and say why they cannot run,
// so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/softmax.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void softmax_forward_cuda(const float*, std::int64_t, int, float*, void*) {
  throw_no_cuda("softmax_forward_cuda");
}
#endif

}  // namespace genint
