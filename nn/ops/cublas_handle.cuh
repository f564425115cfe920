// This host thread's cuBLAS handle, bound to the caller's stream. Internal to .cu files (it names cuBLAS types);
// linear.cu and gan/biggan's attention GEMMs share it, so a thread creates one handle, not one per user.
#pragma once

#include <cublas_v2.h>

#include "nn/core/cuda_check.h"

namespace genint {

// cuBLAS handles are not meant to be shared across threads: each thread creates its own on first use and destroys
// it at thread exit. Every call rebinds it to `stream` (a cudaStream_t; nullptr = default stream), since callers
// on one thread may use different streams.
inline cublasHandle_t cublas_handle_on(void* stream) {
  struct Owner {
    cublasHandle_t handle = nullptr;
    ~Owner() {
      if (handle != nullptr) GENINT_CUBLAS_CHECK_NOTHROW(cublasDestroy(handle));
    }
  };
  thread_local Owner owner;
  if (owner.handle == nullptr) GENINT_CUBLAS_CHECK(cublasCreate(&owner.handle));
  GENINT_CUBLAS_CHECK(cublasSetStream(owner.handle, static_cast<cudaStream_t>(stream)));
  return owner.handle;
}

}  // namespace genint
