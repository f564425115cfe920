// Dispatch file for normalize_images: in a CPU-only build the CUDA entry point exists
// and says why it cannot run, so callers and tests link the same way in every build.
#include "nn/core/error.h"
#include "nn/ops/normalize_images.h"

namespace genint {

#if !GENINT_WITH_CUDA
void normalize_images_cuda(const std::uint8_t*, std::int64_t, int, int, const ImageNormalization&, float*, void*) {
  throw Error("normalize_images_cuda: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
#endif

}  // namespace genint
