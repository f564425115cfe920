// HostBuffer: the pageable path is 64-byte aligned operator new (cache-line aligned rows for the copies),
// the pinned path is nn/core's PinnedHostBuffer.
#include "loader/memory/host_memory.h"

#include <new>
#include <utility>

#include "nn/core/device.h"

namespace genint::loader {

namespace {
constexpr std::align_val_t buffer_alignment{64};
}

HostBuffer::HostBuffer(std::size_t bytes, bool pinned) : is_pinned_(pinned) {
  if (pinned) {
    pinned_ = PinnedHostBuffer(bytes);
  } else if (bytes > 0) {
    pageable_ = ::operator new(bytes, buffer_alignment);
    pageable_bytes_ = bytes;
  }
}

HostBuffer::~HostBuffer() {
  release_pageable();
}

HostBuffer::HostBuffer(HostBuffer&& other) noexcept
    : pinned_(std::move(other.pinned_)),
      pageable_(std::exchange(other.pageable_, nullptr)),
      pageable_bytes_(std::exchange(other.pageable_bytes_, 0)),
      is_pinned_(other.is_pinned_) {}

HostBuffer& HostBuffer::operator=(HostBuffer&& other) noexcept {
  if (this != &other) {
    release_pageable();
    pinned_ = std::move(other.pinned_);
    pageable_ = std::exchange(other.pageable_, nullptr);
    pageable_bytes_ = std::exchange(other.pageable_bytes_, 0);
    is_pinned_ = other.is_pinned_;
  }
  return *this;
}

void HostBuffer::release_pageable() noexcept {
  if (pageable_ != nullptr) ::operator delete(pageable_, buffer_alignment);
  pageable_ = nullptr;
  pageable_bytes_ = 0;
}

bool pinned_host_memory_available() {
  return cuda_backend_built() && cuda_device_count() > 0;
}

}  // namespace genint::loader
