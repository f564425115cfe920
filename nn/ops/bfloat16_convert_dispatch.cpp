// Dispatch file for the bfloat16 conversions: in a CPU-only build the CUDA entry points exist and say why they
// cannot run, so callers and tests link the same way in every build.
#include <string>

#include "nn/core/error.h"
#include "nn/ops/bfloat16_convert.h"

namespace genint {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_no_cuda(const char* op) {
  throw Error(std::string(op) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

void float_to_bfloat16_cuda(const float*, std::int64_t, std::uint16_t*, void*) {
  throw_no_cuda("float_to_bfloat16_cuda");
}
void bfloat16_to_float_cuda(const std::uint16_t*, std::int64_t, float*, void*) {
  throw_no_cuda("bfloat16_to_float_cuda");
}
#endif

}  // namespace genint
