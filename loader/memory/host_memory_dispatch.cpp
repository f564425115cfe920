// Dispatch file for pinned host memory: in a CPU-only build the CUDA entry points exist and say
// why they cannot run, so the loader links the same way in every build.
#include "loader/memory/host_memory.h"
#include "nn/core/error.h"

namespace genint::loader {

#if !GENINT_WITH_CUDA
void* allocate_pinned_host_memory(std::size_t) {
  throw Error("pinned host memory: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
void free_pinned_host_memory(void*) noexcept {}
#endif

}  // namespace genint::loader
