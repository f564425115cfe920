// Dispatch file for the device batch ring: in a CPU-only build its CUDA entry points exist and say why they
// cannot run (the constructor throws, so no ring object ever exists there), and the loader links the same way.
#include "loader/device/device_batch_ring.h"
#include "nn/core/error.h"

namespace genint::loader {

#if !GENINT_WITH_CUDA
namespace {
[[noreturn]] void throw_backend_absent() {
  throw Error("device batch output: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

DeviceBatchRing::DeviceBatchRing(int, std::size_t, std::size_t, std::size_t) {
  throw_backend_absent();
}
DeviceBatchRing::~DeviceBatchRing() = default;
void DeviceBatchRing::release_resources() noexcept {}
void DeviceBatchRing::start_copy(std::size_t, const void*, const std::int32_t*, const float*) {
  throw_backend_absent();
}
void DeviceBatchRing::wait_for_copy(std::size_t) const {
  throw_backend_absent();
}
void DeviceBatchRing::order_stream_after_copy(std::size_t, void*) const {
  throw_backend_absent();
}
void DeviceBatchRing::record_release(std::size_t, void*) {
  throw_backend_absent();
}
void copy_device_bytes_to_host(int, const void*, void*, std::size_t) {
  throw_backend_absent();
}
#endif

}  // namespace genint::loader
