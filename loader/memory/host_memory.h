// Host memory for batch buffers: page-locked (pinned) when the CUDA backend is there so a trainer's
// host→device copies run asynchronously at full speed, plain aligned memory otherwise.
#pragma once

#include <cstddef>

#include "nn/core/pinned_host_buffer.h"

namespace genint::loader {

class HostBuffer {
 public:
  HostBuffer() = default;
  // Throws genint::Error when `pinned` is asked of a build without the CUDA backend.
  HostBuffer(std::size_t bytes, bool pinned);
  ~HostBuffer();
  HostBuffer(const HostBuffer&) = delete;
  HostBuffer& operator=(const HostBuffer&) = delete;
  HostBuffer(HostBuffer&& other) noexcept;
  HostBuffer& operator=(HostBuffer&& other) noexcept;

  void* data() const { return is_pinned_ ? pinned_.data() : pageable_; }
  std::size_t bytes() const { return is_pinned_ ? pinned_.bytes() : pageable_bytes_; }
  bool pinned() const { return is_pinned_; }

 private:
  void release_pageable() noexcept;
  PinnedHostBuffer pinned_;
  void* pageable_ = nullptr;
  std::size_t pageable_bytes_ = 0;
  bool is_pinned_ = false;
};

// True when pinned memory can be had here: CUDA backend built and a device present.
bool pinned_host_memory_available();

}  // namespace genint::loader
