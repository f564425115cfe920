// Dispatch file for SGD: in a CPU-only build the CUDA update exists and says why it cannot run,
// so callers and tests link the same way in every build.
#include "nn/core/error.h"
#include "nn/optim/sgd.h"

namespace genint {

#if !GENINT_WITH_CUDA
void sgd_step_cuda(const SgdOptions&, float, std::int64_t, float*, const float*, float*, bool, void*) {
  throw Error("sgd_step_cuda: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
#endif

}  // namespace genint
