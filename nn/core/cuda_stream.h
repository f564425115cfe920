// RAII for the CUDA runtime's per-thread state and handles: the current device, owned streams and events, plus
// stream-ordered copies. Handles are void* (cudaStream_t, cudaEvent_t), so no CUDA header leaks to includers.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>

namespace genint {

// Makes a CUDA device the calling thread's current one for the scope's life, then puts the previous one back:
// the current device is per-thread state, and a library call must not change the caller's (a trainer's thread
// may work on another device). A previous device without a context yet (a fresh thread's default 0) is not put
// back, so no context is created there. Throws genint::Error in a CPU-only build or when the switch fails.
class CurrentDeviceScope {
 public:
  explicit CurrentDeviceScope(int device_index);
  ~CurrentDeviceScope();  // never throws; a failure to switch back is logged
  CurrentDeviceScope(const CurrentDeviceScope&) = delete;
  CurrentDeviceScope& operator=(const CurrentDeviceScope&) = delete;

 private:
  int previous_ = 0;
  bool switched_ = false;
};

// For destructors of objects holding device memory: runs `release` with `device_index` current, so the memory is
// freed on its own device; when the device cannot be selected, logs that `owner` could not select it and runs
// `release` anyway (a destructor frees what it can). Never throws; `release` must not either.
void release_on_device(int device_index, const char* owner, const std::function<void()>& release) noexcept;

class CudaEvent;

// NonBlocking: the stream neither waits for nor holds up the legacy default stream, so a trainer's work and each
// generator producer's work never serialise with one another; the price is that a plain cudaMemcpy (legacy
// stream) is not ordered with it, so every copy meant to be ordered with its work goes through cuda_copy_async on
// it. WithLegacyDefaultStream (cudaStreamDefault) is only for code whose copies still use plain cudaMemcpy.
enum class StreamOrdering { NonBlocking, WithLegacyDefaultStream };

// An owned stream on one device.
class CudaStream {
 public:
  CudaStream() = default;  // no stream
  // Creates the stream on `device_index`, leaving the caller's current device as it was. Throws genint::Error
  // naming the device when it does not exist or the build has no CUDA backend.
  explicit CudaStream(int device_index, StreamOrdering ordering = StreamOrdering::NonBlocking);
  CudaStream(CudaStream&& other) noexcept = default;
  CudaStream& operator=(CudaStream&& other) noexcept = default;

  void* get() const { return stream_.get(); }  // a cudaStream_t
  int device_index() const { return stream_ ? stream_.get_deleter().device_index : -1; }
  // Blocks the host until this stream's work is done (cudaStreamSynchronize: no other stream is waited for).
  void synchronize() const;
  // Makes the stream wait on the device for `event`'s last record; the host does not wait.
  void wait(const CudaEvent& event) const;

 private:
  // Waits for the stream's work, then destroys it with its device current; never throws.
  struct Destroy {
    int device_index;
    void operator()(void* stream) const noexcept;
  };
  std::unique_ptr<void, Destroy> stream_;
};

// How a host thread waits for an event: Sleep yields the core (cudaEventBlockingSync) for waits that may be long
// and run beside CPU producers; Spin answers fastest and suits events only streams wait for.
enum class EventWait { Spin, Sleep };

// An owned CUDA event (timing disabled) on one device.
class CudaEvent {
 public:
  CudaEvent() = default;  // no event
  // Creates the event on `device_index`, leaving the caller's current device as it was. Throws like CudaStream.
  explicit CudaEvent(int device_index, EventWait wait = EventWait::Spin);
  CudaEvent(CudaEvent&& other) noexcept = default;
  CudaEvent& operator=(CudaEvent&& other) noexcept = default;

  void* get() const { return event_.get(); }  // a cudaEvent_t
  int device_index() const { return event_ ? event_.get_deleter().device_index : -1; }
  // Records the point after the work queued so far on `stream` (a cudaStream_t of the event's device; nullptr =
  // that device's legacy default stream).
  void record(void* stream);
  // Blocks the host until the last record is reached; a never-recorded event counts as reached.
  void synchronize() const;
  // True when the last record is reached (or there was none); does not block.
  bool reached() const;

 private:
  // Destroys the event with its device current; never throws.
  struct Destroy {
    int device_index;
    void operator()(void* event) const noexcept;
  };
  std::unique_ptr<void, Destroy> event_;
};

// The calling thread's current CUDA device (cudaGetDevice). Throws in a CPU-only build.
int cuda_current_device();
// Makes `stream` (a cudaStream_t; nullptr = the current device's legacy default stream) wait on the device for
// `event` (a cudaEvent_t); the host does not wait.
void cuda_stream_wait_event(void* stream, void* event);
// cudaMemcpyAsync of `bytes` on `stream`, the direction read from the pointers (unified addressing). Ordered
// with the stream's other work, whatever kind of stream it is. Host memory should be pinned: from pageable
// memory the runtime stages the bytes first and the call returns only once it may reuse the source.
void cuda_copy_async(void* destination, const void* source, std::size_t bytes, void* stream);
// True for a stream created non-blocking (cudaStreamGetFlags); false for nullptr (the legacy default stream)
// and for blocking streams, whose work serialises with the legacy default stream.
bool cuda_stream_is_non_blocking(void* stream);

}  // namespace genint
