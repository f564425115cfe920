// The parts of the device batch ring that need no CUDA runtime: slot checks and where a slot's batch lies
// (pointer arithmetic on the one device allocation), shared by the CUDA and CPU-only builds.
#include "loader/device/device_batch_ring.h"

#include <string>

#include "nn/core/error.h"

namespace genint::loader {

void DeviceBatchRing::check_slot(std::size_t slot) const {
  GENINT_CHECK(slot < slots_, "device batch ring: slot " + std::to_string(slot) + " is out of range (the ring has " +
                                  std::to_string(slots_) + ")");
}

DeviceBatchPointers DeviceBatchRing::pointers(std::size_t slot) const {
  check_slot(slot);
  const auto* device_slot = static_cast<const std::uint8_t*>(device_memory_) + slot * slot_bytes_;
  DeviceBatchPointers pointers;
  pointers.device_index = device_index_;
  pointers.images = device_slot;
  // Offsets are multiples of 256 from a cudaMalloc'd base, so the casts below are aligned.
  pointers.labels = reinterpret_cast<const std::int32_t*>(device_slot + labels_offset_);
  pointers.weights = reinterpret_cast<const float*>(device_slot + weights_offset_);
  pointers.copy_done_event = copy_done_events_[slot];
  return pointers;
}

}  // namespace genint::loader
