// HostBuffer: the pageable path is 64-byte aligned operator new (cache-line aligned rows for the copies),
// the pinned path is nn/core's PinnedHostBuffer.
#include "loader/memory/host_memory.h"

#include <new>

#include "nn/core/device.h"

namespace genint::loader {

namespace {
constexpr std::align_val_t buffer_alignment{64};
}

HostBuffer::HostBuffer(std::size_t bytes, bool pinned) : is_pinned_(pinned) {
  if (pinned) {
    pinned_ = PinnedHostBuffer(bytes);
  } else if (bytes > 0) {
    pageable_.reset(::operator new(bytes, buffer_alignment));
    pageable_bytes_ = bytes;
  }
}

void HostBuffer::AlignedDelete::operator()(void* pointer) const noexcept {
  ::operator delete(pointer, buffer_alignment);
}

bool pinned_host_memory_available() {
  return cuda_backend_built() && cuda_device_count() > 0;
}

}  // namespace genint::loader
