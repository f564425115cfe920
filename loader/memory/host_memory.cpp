// HostBuffer: the CPU path is 64-byte aligned operator new (cache-line aligned rows for the copies),
// the pinned path goes through the CUDA entry points.
#include "loader/memory/host_memory.h"

#include <new>
#include <utility>

#include "nn/core/device.h"

namespace genint::loader {

namespace {
constexpr std::align_val_t buffer_alignment{64};
}

HostBuffer::HostBuffer(std::size_t bytes, bool pinned) : bytes_(bytes), pinned_(pinned) {
  if (bytes == 0) return;
  data_ = pinned ? allocate_pinned_host_memory(bytes) : ::operator new(bytes, buffer_alignment);
}

HostBuffer::~HostBuffer() {
  release();
}

HostBuffer::HostBuffer(HostBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), bytes_(std::exchange(other.bytes_, 0)), pinned_(other.pinned_) {}

HostBuffer& HostBuffer::operator=(HostBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    bytes_ = std::exchange(other.bytes_, 0);
    pinned_ = other.pinned_;
  }
  return *this;
}

void HostBuffer::release() noexcept {
  if (data_ == nullptr) return;
  if (pinned_)
    free_pinned_host_memory(data_);
  else
    ::operator delete(data_, buffer_alignment);
  data_ = nullptr;
}

bool pinned_host_memory_available() {
  return cuda_backend_built() && cuda_device_count() > 0;
}

}  // namespace genint::loader
