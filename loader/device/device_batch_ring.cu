// The device batch ring on the CUDA runtime: one cudaMalloc for all slots, a non-blocking stream (so the copies
// never serialize with the trainer's default stream), and per slot a copy-done and a released event.
#include <cuda_runtime.h>

#include <cstring>
#include <string>

#include "loader/device/device_batch_ring.h"
#include "nn/core/cuda_check.h"

namespace genint::loader {
namespace {

constexpr std::size_t device_alignment = 256;  // cudaMalloc's own alignment: every part starts on one

std::size_t round_up(std::size_t bytes, std::size_t alignment) {
  return (bytes + alignment - 1) / alignment * alignment;
}

cudaEvent_t as_event(void* event) {
  return static_cast<cudaEvent_t>(event);
}

// Makes `device` current for the scope and puts back the caller's device: the trainer's thread may be
// working on another device, and a loader call must not change that.
class CurrentDeviceGuard {
 public:
  explicit CurrentDeviceGuard(int device) {
    GENINT_CUDA_CHECK(cudaGetDevice(&previous_));
    if (previous_ != device) {
      GENINT_CUDA_CHECK(cudaSetDevice(device));
      switched_ = true;
    }
  }
  ~CurrentDeviceGuard() {
    if (switched_) GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(previous_));
  }
  CurrentDeviceGuard(const CurrentDeviceGuard&) = delete;
  CurrentDeviceGuard& operator=(const CurrentDeviceGuard&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};

}  // namespace

DeviceBatchRing::DeviceBatchRing(int device_index, std::size_t slots, std::size_t batch_size,
                                 std::size_t sample_bytes)
    : device_index_(device_index), slots_(slots), batch_size_(batch_size) {
  GENINT_CHECK(slots > 0 && batch_size > 0 && sample_bytes > 0,
               "device batch ring: slots, batch size and sample bytes must be positive");
  int device_count = 0;
  GENINT_CUDA_CHECK(cudaGetDeviceCount(&device_count));
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

  const CurrentDeviceGuard guard(device_index_);
  try {
    GENINT_CUDA_CHECK(cudaMalloc(&device_memory_, slots_ * slot_bytes_));
    GENINT_CUDA_CHECK(cudaHostAlloc(&pinned_staging_, slots_ * metadata_stride_, cudaHostAllocPortable));
    // The padding between labels and weights is copied too: zero it once so no indeterminate byte travels.
    std::memset(pinned_staging_, 0, slots_ * metadata_stride_);
    cudaStream_t stream = nullptr;
    GENINT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking));
    stream_ = stream;
    copy_done_events_.assign(slots_, nullptr);
    released_events_.assign(slots_, nullptr);
    for (std::size_t slot = 0; slot < slots_; ++slot) {
      cudaEvent_t copy_done = nullptr, released = nullptr;
      // Blocking sync: wait_for_copy() sleeps instead of spinning a core the producers need.
      GENINT_CUDA_CHECK(cudaEventCreateWithFlags(&copy_done, cudaEventDisableTiming | cudaEventBlockingSync));
      copy_done_events_[slot] = copy_done;
      GENINT_CUDA_CHECK(cudaEventCreateWithFlags(&released, cudaEventDisableTiming));
      released_events_[slot] = released;
    }
  } catch (...) {
    release_resources();
    throw;
  }
}

DeviceBatchRing::~DeviceBatchRing() {
  int previous = 0;
  const bool switched = cudaGetDevice(&previous) == cudaSuccess && previous != device_index_ &&
                        cudaSetDevice(device_index_) == cudaSuccess;
  release_resources();
  if (switched) GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(previous));
}

// Never throws: used by the destructor and by a constructor that failed half way. The stream is drained
// first, so no copy still reads the pinned host buffers that are freed after this.
void DeviceBatchRing::release_resources() noexcept {
  const auto stream = static_cast<cudaStream_t>(stream_);
  if (stream != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaStreamSynchronize(stream));
  for (void* event : copy_done_events_)
    if (event != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaEventDestroy(as_event(event)));
  for (void* event : released_events_)
    if (event != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaEventDestroy(as_event(event)));
  copy_done_events_.clear();
  released_events_.clear();
  if (stream != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaStreamDestroy(stream));
  stream_ = nullptr;
  if (device_memory_ != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaFree(device_memory_));
  device_memory_ = nullptr;
  if (pinned_staging_ != nullptr) GENINT_CUDA_CHECK_NOTHROW(cudaFreeHost(pinned_staging_));
  pinned_staging_ = nullptr;
}

void DeviceBatchRing::start_copy(std::size_t slot, const void* host_images, const std::int32_t* labels,
                                 const float* weights) {
  check_slot(slot);
  const CurrentDeviceGuard guard(device_index_);
  const auto stream = static_cast<cudaStream_t>(stream_);
  // The staging below is still read by the slot's previous copy until that copy is done. The pipeline has
  // already waited for it when the slot was released, so this returns at once there; it keeps the ring safe alone.
  GENINT_CUDA_CHECK(cudaEventSynchronize(as_event(copy_done_events_[slot])));
  auto* staging = static_cast<std::uint8_t*>(pinned_staging_) + slot * metadata_stride_;
  std::memcpy(staging, labels, batch_size_ * sizeof(std::int32_t));
  std::memcpy(staging + (weights_offset_ - labels_offset_), weights, batch_size_ * sizeof(float));
  // A never-recorded event counts as complete, so a slot released without a stream waits for nothing here.
  GENINT_CUDA_CHECK(cudaStreamWaitEvent(stream, as_event(released_events_[slot]), 0));
  auto* device_slot = static_cast<std::uint8_t*>(device_memory_) + slot * slot_bytes_;
  GENINT_CUDA_CHECK(cudaMemcpyAsync(device_slot, host_images, images_bytes_, cudaMemcpyHostToDevice, stream));
  GENINT_CUDA_CHECK(
      cudaMemcpyAsync(device_slot + labels_offset_, staging, metadata_bytes_, cudaMemcpyHostToDevice, stream));
  GENINT_CUDA_CHECK(cudaEventRecord(as_event(copy_done_events_[slot]), stream));
}

void DeviceBatchRing::wait_for_copy(std::size_t slot) const {
  check_slot(slot);
  const CurrentDeviceGuard guard(device_index_);
  GENINT_CUDA_CHECK(cudaEventSynchronize(as_event(copy_done_events_[slot])));
}

void DeviceBatchRing::order_stream_after_copy(std::size_t slot, void* stream) const {
  check_slot(slot);
  const CurrentDeviceGuard guard(device_index_);
  GENINT_CUDA_CHECK(cudaStreamWaitEvent(static_cast<cudaStream_t>(stream), as_event(copy_done_events_[slot]), 0));
}

void DeviceBatchRing::record_release(std::size_t slot, void* stream) {
  check_slot(slot);
  const CurrentDeviceGuard guard(device_index_);
  GENINT_CUDA_CHECK(cudaEventRecord(as_event(released_events_[slot]), static_cast<cudaStream_t>(stream)));
}

void copy_device_bytes_to_host(int device_index, const void* device_source, void* host_destination,
                               std::size_t bytes) {
  const CurrentDeviceGuard guard(device_index);
  GENINT_CUDA_CHECK(cudaMemcpy(host_destination, device_source, bytes, cudaMemcpyDeviceToHost));
}

}  // namespace genint::loader
