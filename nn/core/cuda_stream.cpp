// Dispatch file for the CUDA scopes, streams and events: the CUDA runtime with the backend; without it each
// constructor throws a clear genint::Error, so a CPU-only build links and no object owning a handle ever exists.
#include "nn/core/cuda_stream.h"

#include <optional>
#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/core/log.h"
#if GENINT_WITH_CUDA
#include <cuda.h>  // driver types only (CUresult, CUdevice): the one driver function is found at run time

#include "nn/core/cuda_check.h"
#endif

namespace genint {

#if GENINT_WITH_CUDA

namespace {

cudaStream_t as_stream(void* stream) {
  return static_cast<cudaStream_t>(stream);
}
cudaEvent_t as_event(void* event) {
  return static_cast<cudaEvent_t>(event);
}

// No driver counts as no device (cuda_device_count), so the message names the device either way.
void check_device_exists(int device_index, const char* what) {
  const int device_count = cuda_device_count();
  GENINT_CHECK(device_index >= 0 && device_index < device_count,
               std::string(what) + ": CUDA device " + std::to_string(device_index) + " does not exist (" +
                   (device_count == 0 ? cuda_device_description() : std::to_string(device_count) + " present") + ")");
}

// Whether `device`'s primary context exists. Since CUDA 12 cudaSetDevice creates it, so putting back a thread's
// never-used default device 0 would give every loader thread serving GPU N a context (hundreds of MiB) on GPU 0.
// The driver entry point is looked up through the runtime, so nothing links libcuda; if that fails, it says true
// (put the device back, as before).
bool primary_context_active(int device) noexcept {
  using GetState = CUresult (*)(CUdevice, unsigned int*, int*);
  static const GetState get_state = [] {
    void* function = nullptr;
    cudaDriverEntryPointQueryResult found = cudaDriverEntryPointSymbolNotFound;
    const bool ok = cudaGetDriverEntryPointByVersion("cuDevicePrimaryCtxGetState", &function, 12000, cudaEnableDefault,
                                                     &found) == cudaSuccess &&
                    found == cudaDriverEntryPointSuccess;
    return ok ? reinterpret_cast<GetState>(function) : nullptr;
  }();
  unsigned int flags = 0;
  int active = 1;
  if (get_state == nullptr || get_state(static_cast<CUdevice>(device), &flags, &active) != CUDA_SUCCESS) return true;
  return active != 0;
}

}  // namespace

CurrentDeviceScope::CurrentDeviceScope(int device_index) {
  GENINT_CUDA_CHECK(cudaGetDevice(&previous_));
  if (previous_ != device_index) {
    GENINT_CUDA_CHECK(cudaSetDevice(device_index));
    switched_ = true;
  }
}

CurrentDeviceScope::~CurrentDeviceScope() {
  // A previous device without a context yet (see primary_context_active) is not put back: the thread then keeps
  // the scope's device, which is what PyTorch's device guards do too.
  if (switched_ && primary_context_active(previous_)) GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(previous_));
}

CudaStream::CudaStream(int device_index, StreamOrdering ordering) {
  check_device_exists(device_index, "CUDA stream");
  const CurrentDeviceScope scope(device_index);
  cudaStream_t stream = nullptr;
  const unsigned flags = ordering == StreamOrdering::NonBlocking ? cudaStreamNonBlocking : cudaStreamDefault;
  GENINT_CUDA_CHECK(cudaStreamCreateWithFlags(&stream, flags));
  stream_ = std::unique_ptr<void, Destroy>(stream, Destroy{device_index});
}

void CudaStream::Destroy::operator()(void* stream) const noexcept {
  release_on_device(device_index, "CUDA stream", [stream] {
    // Drained first: queued work may still read buffers whose owners are destroyed right after the stream.
    GENINT_CUDA_CHECK_NOTHROW(cudaStreamSynchronize(as_stream(stream)));
    GENINT_CUDA_CHECK_NOTHROW(cudaStreamDestroy(as_stream(stream)));
  });
}

CudaEvent::CudaEvent(int device_index, EventWait wait) {
  check_device_exists(device_index, "CUDA event");
  const CurrentDeviceScope scope(device_index);
  cudaEvent_t event = nullptr;
  const unsigned flags = cudaEventDisableTiming | (wait == EventWait::Sleep ? cudaEventBlockingSync : 0u);
  GENINT_CUDA_CHECK(cudaEventCreateWithFlags(&event, flags));
  event_ = std::unique_ptr<void, Destroy>(event, Destroy{device_index});
}

void CudaEvent::Destroy::operator()(void* event) const noexcept {
  release_on_device(device_index, "CUDA event",
                    [event] { GENINT_CUDA_CHECK_NOTHROW(cudaEventDestroy(as_event(event))); });
}

void CudaEvent::record(void* stream) {
  GENINT_CHECK(event_ != nullptr, "CUDA event: record on an empty event");
  // The current device matters for a nullptr stream: the legacy default stream of the event's device is meant.
  const CurrentDeviceScope scope(device_index());
  GENINT_CUDA_CHECK(cudaEventRecord(as_event(get()), as_stream(stream)));
}

void CudaEvent::synchronize() const {
  GENINT_CHECK(event_ != nullptr, "CUDA event: synchronize on an empty event");
  GENINT_CUDA_CHECK(cudaEventSynchronize(as_event(get())));
}

bool CudaEvent::reached() const {
  GENINT_CHECK(event_ != nullptr, "CUDA event: query on an empty event");
  const cudaError_t status = cudaEventQuery(as_event(get()));
  if (status == cudaErrorNotReady) {
    static_cast<void>(cudaGetLastError());  // "not ready" is an answer, not an error: keep it from the next check
    return false;
  }
  GENINT_CUDA_CHECK(status);
  return true;
}

int cuda_current_device() {
  int device = 0;
  GENINT_CUDA_CHECK(cudaGetDevice(&device));
  return device;
}

void cuda_stream_wait_event(void* stream, void* event) {
  GENINT_CUDA_CHECK(cudaStreamWaitEvent(as_stream(stream), as_event(event), 0));
}

void cuda_copy_async(void* destination, const void* source, std::size_t bytes, void* stream) {
  if (bytes == 0) return;
  GENINT_CUDA_CHECK(cudaMemcpyAsync(destination, source, bytes, cudaMemcpyDefault, as_stream(stream)));
}

bool cuda_stream_is_non_blocking(void* stream) {
  if (stream == nullptr) return false;
  unsigned flags = 0;
  GENINT_CUDA_CHECK(cudaStreamGetFlags(as_stream(stream), &flags));
  return (flags & cudaStreamNonBlocking) != 0;
}

#else

CurrentDeviceScope::CurrentDeviceScope(int) {
  throw_cuda_backend_absent("CUDA device scope");
}
CurrentDeviceScope::~CurrentDeviceScope() {
  // Read so that clang's unused-private-field check holds in this build too; nothing was switched.
  static_cast<void>(previous_);
  static_cast<void>(switched_);
}
CudaStream::CudaStream(int, StreamOrdering) {
  throw_cuda_backend_absent("CUDA stream");
}
void CudaStream::Destroy::operator()(void*) const noexcept {}
CudaEvent::CudaEvent(int, EventWait) {
  throw_cuda_backend_absent("CUDA event");
}
void CudaEvent::Destroy::operator()(void*) const noexcept {}
void CudaEvent::record(void*) {
  throw_cuda_backend_absent("CUDA event");
}
void CudaEvent::synchronize() const {
  throw_cuda_backend_absent("CUDA event");
}
bool CudaEvent::reached() const {
  throw_cuda_backend_absent("CUDA event");
}
int cuda_current_device() {
  throw_cuda_backend_absent("CUDA current device");
}
void cuda_stream_wait_event(void*, void*) {
  throw_cuda_backend_absent("CUDA stream wait");
}
void cuda_copy_async(void*, const void*, std::size_t, void*) {
  throw_cuda_backend_absent("CUDA copy");
}
bool cuda_stream_is_non_blocking(void*) {
  throw_cuda_backend_absent("CUDA stream flags");
}

#endif

// Written once for both builds: a CPU-only build never has a stream, so the checks refuse every call there.
void CudaStream::synchronize() const {
  GENINT_CHECK(stream_ != nullptr, "CUDA stream: synchronize on an empty stream");
  cuda_stream_synchronize(get());
}

void CudaStream::wait(const CudaEvent& event) const {
  GENINT_CHECK(stream_ != nullptr && event.get() != nullptr, "CUDA stream: wait with an empty stream or event");
  cuda_stream_wait_event(get(), event.get());
}

void release_on_device(int device_index, const char* owner, const std::function<void()>& release) noexcept {
  // Only the switch is guarded: a release that threw would break its contract, and running it twice would not help.
  std::optional<CurrentDeviceScope> scope;
  try {
    scope.emplace(device_index);
  } catch (const std::exception& error) {
    GENINT_LOG(Error) << owner << ": could not select CUDA device " << device_index
                      << " to free its memory: " << error.what();
  }
  release();
}

}  // namespace genint
