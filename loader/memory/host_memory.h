// Host memory for batch buffers: page-locked (pinned) when the CUDA backend is there so a trainer's
// host→device copies run asynchronously at full speed, plain aligned memory otherwise.
#pragma once

#include <cstddef>
#include <memory>

#include "nn/core/pinned_host_buffer.h"

namespace genint::loader {

class HostBuffer {
 public:
  HostBuffer() = default;
  // Throws genint::Error when `pinned` is asked of a build without the CUDA backend.
  HostBuffer(std::size_t bytes, bool pinned);

  void* data() const { return is_pinned_ ? pinned_.data() : pageable_.get(); }
  std::size_t bytes() const { return is_pinned_ ? pinned_.bytes() : pageable_ ? pageable_bytes_ : 0; }
  bool pinned() const { return is_pinned_; }

 private:
  struct AlignedDelete {
    void operator()(void* pointer) const noexcept;
  };
  PinnedHostBuffer pinned_;
  std::unique_ptr<void, AlignedDelete> pageable_;  // move-only, so the buffer is too
  std::size_t pageable_bytes_ = 0;
  bool is_pinned_ = false;
};

// True when pinned memory can be had here: CUDA backend built and a device present.
bool pinned_host_memory_available();

}  // namespace genint::loader
