// A ring of device batch buffers mirroring the loader's host batch ring: each complete batch is copied
// host→device on the loader's own CUDA stream while producers fill the next ones; one event per slot.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "nn/core/cuda_stream.h"
#include "nn/core/device_buffer.h"
#include "nn/core/pinned_host_buffer.h"

namespace genint::loader {

// Where one slot's batch lies on the device. Pointers are device memory; the event is a cudaEvent_t.
struct DeviceBatchPointers {
  int device_index = -1;  // -1: the loader has no device output
  const void* images = nullptr;
  const std::int32_t* labels = nullptr;
  const float* weights = nullptr;
  void* copy_done_event = nullptr;  // recorded on the loader's stream after the slot's last copy
};

// Thread use: start_copy from the one thread that publishes batches (the assembler); the other calls from any
// thread, for a slot the caller holds. Every handle is an nn/core RAII object, so no CUDA header reaches the loader.
class DeviceBatchRing {
 public:
  // Allocates everything up front on CUDA device `device_index`: `slots` × (images + labels + weights) of device
  // memory, pinned staging for labels and weights, one non-blocking stream and two events per slot. The calling
  // thread's current device is left as it was. Throws genint::Error in a CPU-only build.
  DeviceBatchRing(int device_index, std::size_t slots, std::size_t batch_size, std::size_t sample_bytes);
  ~DeviceBatchRing();  // waits for the loader's stream, then frees everything on its device; never throws
  DeviceBatchRing(const DeviceBatchRing&) = delete;
  DeviceBatchRing& operator=(const DeviceBatchRing&) = delete;

  // Queues the copy of a complete host batch into `slot` and records the slot's copy event; returns without
  // waiting. `host_images` must be pinned (batch_size × sample_bytes); labels and weights (batch_size each) are
  // staged through pinned memory first. On the device the copy first waits for record_release() of the slot's
  // previous batch, so a trainer still reading that batch on its stream is never overwritten.
  void start_copy(std::size_t slot, const void* host_images, const std::int32_t* labels, const float* weights);
  // Blocks (sleeping) until the slot's copy has finished reading host memory: call before the host slot is refilled.
  void wait_for_copy(std::size_t slot) const;
  // Makes `stream` (a cudaStream_t; nullptr = the output device's legacy default stream) wait on the device for
  // the slot's copy. Returns at once.
  void order_stream_after_copy(std::size_t slot, void* stream) const;
  // Records on `stream` (which must belong to the output device) the point after which the trainer no longer
  // reads the slot's device memory; the slot's next copy waits for it on the device.
  void record_release(std::size_t slot, void* stream);

  DeviceBatchPointers pointers(std::size_t slot) const;
  int device_index() const { return device_index_; }
  std::size_t slots() const { return slots_; }

 private:
  void release_resources() noexcept;
  void check_slot(std::size_t slot) const;

  int device_index_ = 0;
  std::size_t slots_ = 0;
  std::size_t batch_size_ = 0;
  // Per slot, in device memory: images | labels | weights, each part starting on a 256-byte boundary.
  std::size_t images_bytes_ = 0;
  std::size_t labels_offset_ = 0;    // from the slot's start (a slot's staging starts at its labels)
  std::size_t weights_offset_ = 0;   // from the slot's start
  std::size_t metadata_bytes_ = 0;   // labels and weights, as one copy
  std::size_t metadata_stride_ = 0;  // one slot's part of the pinned staging
  std::size_t slot_bytes_ = 0;
  DeviceBuffer device_memory_;       // slots × slot_bytes
  PinnedHostBuffer pinned_staging_;  // slots × metadata_stride, laid out as the device's labels and weights
  CudaStream stream_;                // the loader's own, non-blocking
  std::vector<CudaEvent> copy_done_events_;
  std::vector<CudaEvent> released_events_;
};

// Blocking copy of device memory on CUDA device `device_index` to the host, on that device's legacy default
// stream (order it after a batch's copy first). For tests and diagnostics; throws in a CPU-only build.
void copy_device_bytes_to_host(int device_index, const void* device_source, void* host_destination, std::size_t bytes);

}  // namespace genint::loader
