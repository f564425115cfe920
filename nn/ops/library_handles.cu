// cuDNN and cuBLAS handles per (host thread, device): a thread_local table indexed by device, filled lazily with
// the device current, and emptied at thread exit with each handle's own device current.
#include <cstddef>
#include <vector>

#include "nn/core/cuda_check.h"
#include "nn/ops/library_handles.cuh"

namespace genint {
namespace {

struct Cudnn {
  using Handle = cudnnHandle_t;
  static void create(Handle* handle) { GENINT_CUDNN_CHECK(cudnnCreate(handle)); }
  static void destroy(Handle handle) {
    GENINT_CUDNN_CHECK_NOTHROW(cudnnSetStream(handle, nullptr));  // see PerDeviceHandles' destructor
    GENINT_CUDNN_CHECK_NOTHROW(cudnnDestroy(handle));
  }
  static void bind(Handle handle, void* stream) {
    GENINT_CUDNN_CHECK(cudnnSetStream(handle, static_cast<cudaStream_t>(stream)));
  }
};

struct Cublas {
  using Handle = cublasHandle_t;
  static void create(Handle* handle) { GENINT_CUBLAS_CHECK(cublasCreate(handle)); }
  static void destroy(Handle handle) {
    GENINT_CUBLAS_CHECK_NOTHROW(cublasSetStream(handle, nullptr));  // see PerDeviceHandles' destructor
    GENINT_CUBLAS_CHECK_NOTHROW(cublasDestroy(handle));
  }
  static void bind(Handle handle, void* stream) {
    GENINT_CUBLAS_CHECK(cublasSetStream(handle, static_cast<cudaStream_t>(stream)));
  }
};

template <typename Library>
class PerDeviceHandles {
 public:
  PerDeviceHandles() = default;
  PerDeviceHandles(const PerDeviceHandles&) = delete;
  PerDeviceHandles& operator=(const PerDeviceHandles&) = delete;
  ~PerDeviceHandles() {
    // At thread exit: each handle is destroyed with its device current (the thread's setting no longer matters),
    // unbound first from the last caller's stream, which its owner may have destroyed before the thread ended.
    for (std::size_t device = 0; device < handles_.size(); ++device) {
      if (handles_[device] == nullptr) continue;
      GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(static_cast<int>(device)));
      Library::destroy(handles_[device]);
    }
  }

  typename Library::Handle on(void* stream) {
    int device = 0;
    GENINT_CUDA_CHECK(cudaGetDevice(&device));
    const auto index = static_cast<std::size_t>(device);
    if (index >= handles_.size()) handles_.resize(index + 1, nullptr);
    if (handles_[index] == nullptr) Library::create(&handles_[index]);
    Library::bind(handles_[index], stream);
    return handles_[index];
  }

 private:
  std::vector<typename Library::Handle> handles_;  // by device index; null until first used
};

}  // namespace

cudnnHandle_t cudnn_handle_on(void* stream) {
  thread_local PerDeviceHandles<Cudnn> handles;
  return handles.on(stream);
}

cublasHandle_t cublas_handle_on(void* stream) {
  thread_local PerDeviceHandles<Cublas> handles;
  return handles.on(stream);
}

}  // namespace genint
