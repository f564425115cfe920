// Dispatch file for the generator's device and stream: the CUDA runtime with the backend; without it, a
// clear genint::Error at construction, so a CPU-only build links and no object of these classes ever exists.
#include <string>

#include "loader/sources/intervention/generator_device.h"
#include "nn/core/error.h"
#if GENINT_WITH_CUDA
#include "nn/core/cuda_check.h"
#endif

namespace genint {

#if GENINT_WITH_CUDA

namespace {
cudaStream_t as_stream(void* stream) {
  return static_cast<cudaStream_t>(stream);
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
  if (switched_) GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(previous_));
}

GeneratorDevice::GeneratorDevice(int device_index) : index_(device_index) {
  int device_count = 0;
  GENINT_CUDA_CHECK(cudaGetDeviceCount(&device_count));
  GENINT_CHECK(device_index >= 0 && device_index < device_count,
               "generator device: CUDA device " + std::to_string(device_index) + " does not exist (" +
                   std::to_string(device_count) + " present)");
  const CurrentDeviceScope scope(device_index);
  cudaStream_t stream = nullptr;
  // Blocking (default flags): the generator's uploads and downloads are plain cudaMemcpy on the legacy default
  // stream, and a blocking stream stays ordered with it; a non-blocking one could race those copies.
  GENINT_CUDA_CHECK(cudaStreamCreate(&stream));
  stream_ = stream;
}

GeneratorDevice::~GeneratorDevice() {
  if (stream_ == nullptr) return;
  int previous = 0;
  GENINT_CUDA_CHECK_NOTHROW(cudaGetDevice(&previous));
  GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(index_));
  GENINT_CUDA_CHECK_NOTHROW(cudaStreamSynchronize(as_stream(stream_)));
  GENINT_CUDA_CHECK_NOTHROW(cudaStreamDestroy(as_stream(stream_)));
  if (previous != index_) GENINT_CUDA_CHECK_NOTHROW(cudaSetDevice(previous));
}

#else

namespace {
[[noreturn]] void throw_backend_absent(int device_index) {
  throw Error("generator device: CUDA device " + std::to_string(device_index) +
              " asked for, but genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}
}  // namespace

CurrentDeviceScope::CurrentDeviceScope(int device_index) {
  throw_backend_absent(device_index);
}
CurrentDeviceScope::~CurrentDeviceScope() {
  // Read so that clang's unused-private-field check holds in this build too; nothing was switched.
  static_cast<void>(previous_);
  static_cast<void>(switched_);
}
GeneratorDevice::GeneratorDevice(int device_index) : index_(device_index) {
  throw_backend_absent(device_index);
}
GeneratorDevice::~GeneratorDevice() = default;

#endif

}  // namespace genint
