// The device batch ring through nn/core's RAII CUDA objects: one device allocation for all slots, the loader's own
// non-blocking stream (its copies never serialise with a trainer's stream), per slot a copy-done and a released event.
#include "loader/device/device_batch_ring.h"

#include <cstring>
#include <string>

#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

constexpr std::size_t device_alignment = 256;  // cudaMalloc's own alignment: every part starts on one

std::size_t round_up(std::size_t bytes, std::size_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

}  // namespace

DeviceBatchRing::DeviceBatchRing(int device_index, std::size_t slots, std::size_t batch_size, std::size_t sample_bytes)
    : device_index_(device_index), slots_(slots), batch_size_(batch_size) {
  GENINT_CHECK(cuda_backend_built(),
               "device batch output: genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
  GENINT_CHECK(slots > 0 && batch_size > 0 && sample_bytes > 0,
               "device batch ring: slots, batch size and sample bytes must be positive");
  const int device_count = cuda_device_count();
  GENINT_CHECK(device_index >= 0 && device_index < device_count,
               "device batch ring: CUDA device " + std::to_string(device_index) + " does not exist (" +
                   std::to_string(device_count) + " present)");
  const std::size_t metadata_part = batch_size * sizeof(std::int32_t);  // labels and weights are 4 bytes each
  static_assert(sizeof(float) == sizeof(std::int32_t), "labels and weights share one part size");
  images_bytes_ = batch_size * sample_bytes;
  labels_offset_ = round_up(images_bytes_, device_alignment);
  weights_offset_ = labels_offset_ + round_up(metadata_part, device_alignment);
  metadata_bytes_ = weights_offset_ - labels_offset_ + metadata_part;
  slot_bytes_ = round_up(weights_offset_ + metadata_part, device_alignment);
  metadata_stride_ = round_up(metadata_bytes_, device_alignment);

  const CurrentDeviceScope scope(device_index_);
  try {
    device_memory_ = DeviceBuffer(slots_ * slot_bytes_);
    pinned_staging_ = PinnedHostBuffer(slots_ * metadata_stride_);
    // The padding between labels and weights is copied too: zero it once so no indeterminate byte travels.
    std::memset(pinned_staging_.data(), 0, pinned_staging_.bytes());
    stream_ = CudaStream(device_index_);
    copy_done_events_.reserve(slots_);
    released_events_.reserve(slots_);
    for (std::size_t slot = 0; slot < slots_; ++slot) {
      // Sleep: wait_for_copy() yields its core to the producers instead of spinning.
      copy_done_events_.emplace_back(device_index_, EventWait::Sleep);
      released_events_.emplace_back(device_index_, EventWait::Spin);
    }
  } catch (...) {
    release_resources();  // here, while the ring's device is current (the destructor does not run)
    throw;
  }
}

DeviceBatchRing::~DeviceBatchRing() {
  release_on_device(device_index_, "device batch ring", [this] { release_resources(); });
}

// Never throws. The stream is drained first (CudaStream's release), so no copy still reads the pinned staging
// or writes the device memory freed after it.
void DeviceBatchRing::release_resources() noexcept {
  stream_ = CudaStream();
  copy_done_events_.clear();
  released_events_.clear();
  device_memory_ = DeviceBuffer();
  pinned_staging_ = PinnedHostBuffer();
}

void DeviceBatchRing::check_slot(std::size_t slot) const {
  GENINT_CHECK(slot < slots_, "device batch ring: slot " + std::to_string(slot) + " is out of range (the ring has " +
                                  std::to_string(slots_) + ")");
}

void DeviceBatchRing::start_copy(std::size_t slot, const void* host_images, const std::int32_t* labels,
                                 const float* weights) {
  check_slot(slot);
  // The staging below is still read by the slot's previous copy until that copy is done. The pipeline has
  // already waited for it when the slot was released, so this returns at once there; it keeps the ring safe alone.
  copy_done_events_[slot].synchronize();
  auto* staging = static_cast<std::uint8_t*>(pinned_staging_.data()) + slot * metadata_stride_;
  std::memcpy(staging, labels, batch_size_ * sizeof(std::int32_t));
  std::memcpy(staging + (weights_offset_ - labels_offset_), weights, batch_size_ * sizeof(float));
  // A never-recorded event counts as complete, so a slot released without a stream waits for nothing here.
  stream_.wait(released_events_[slot]);
  auto* device_slot = static_cast<std::uint8_t*>(device_memory_.data()) + slot * slot_bytes_;
  cuda_copy_async(device_slot, host_images, images_bytes_, stream_.get());
  cuda_copy_async(device_slot + labels_offset_, staging, metadata_bytes_, stream_.get());
  copy_done_events_[slot].record(stream_.get());
}

void DeviceBatchRing::wait_for_copy(std::size_t slot) const {
  check_slot(slot);
  copy_done_events_[slot].synchronize();
}

void DeviceBatchRing::order_stream_after_copy(std::size_t slot, void* stream) const {
  check_slot(slot);
  // A nullptr stream means the output device's legacy default stream, whatever device the caller has current.
  const CurrentDeviceScope scope(device_index_);
  cuda_stream_wait_event(stream, copy_done_events_[slot].get());
}

void DeviceBatchRing::record_release(std::size_t slot, void* stream) {
  check_slot(slot);
  released_events_[slot].record(stream);  // on the ring's device, where the event lives
}

DeviceBatchPointers DeviceBatchRing::pointers(std::size_t slot) const {
  check_slot(slot);
  const auto* device_slot = static_cast<const std::uint8_t*>(device_memory_.data()) + slot * slot_bytes_;
  DeviceBatchPointers pointers;
  pointers.device_index = device_index_;
  pointers.images = device_slot;
  // Offsets are multiples of 256 from a cudaMalloc'd base, so the casts below are aligned.
  pointers.labels = reinterpret_cast<const std::int32_t*>(device_slot + labels_offset_);
  pointers.weights = reinterpret_cast<const float*>(device_slot + weights_offset_);
  pointers.copy_done_event = copy_done_events_[slot].get();
  return pointers;
}

void copy_device_bytes_to_host(int device_index, const void* device_source, void* host_destination, std::size_t bytes) {
  const CurrentDeviceScope scope(device_index);
  cuda_copy_async(host_destination, device_source, bytes, nullptr);  // the device's legacy default stream
  cuda_stream_synchronize(nullptr);
}

}  // namespace genint::loader
