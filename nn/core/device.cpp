// Dispatch file for device queries: the only place in nn/core that branches on GENINT_WITH_CUDA.
// A missing driver is an answer (zero devices), not an error.
#include "nn/core/device.h"

#include <string>

#include "nn/core/cuda_backend.h"
#include "nn/core/error.h"

#if GENINT_WITH_CUDA
#include <cuda_runtime.h>
#endif

namespace genint {

void throw_cuda_backend_absent(const char* what) {
  throw Error(std::string(what) + ": genint was built without its CUDA backend (configure with -DGENINT_CUDA=ON)");
}

bool cuda_backend_built() {
  return GENINT_WITH_CUDA != 0;
}

int cuda_device_count() {
#if GENINT_WITH_CUDA
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess) {
    cudaGetLastError();  // clear the sticky "no driver" error so later calls start clean
    return 0;
  }
  return count;
#else
  return 0;
#endif
}

std::string cuda_device_description() {
#if GENINT_WITH_CUDA
  int count = 0;
  const cudaError_t status = cudaGetDeviceCount(&count);
  if (status != cudaSuccess) {
    cudaGetLastError();
    return std::string("no CUDA device: ") + cudaGetErrorString(status);
  }
  if (count == 0) return "no CUDA device: the driver reports none";
  cudaDeviceProp properties{};
  if (cudaGetDeviceProperties(&properties, 0) != cudaSuccess) return "no CUDA device: properties unreadable";
  return std::string(properties.name) + ", sm_" + std::to_string(properties.major) + std::to_string(properties.minor) +
         ", " + std::to_string(properties.totalGlobalMem >> 30) + " GiB";
#else
  return "no CUDA device: genint was built without its CUDA backend";
#endif
}

}  // namespace genint
