// This host thread's cuDNN and cuBLAS handles for the current CUDA device, bound to the caller's stream. Internal to
// .cu files (they name library types); every op and gan/biggan's kernels share them.
#pragma once

#include <cublas_v2.h>
#include <cudnn.h>

namespace genint {

// A handle belongs to the device that was current when it was created, and handles are not meant to be shared
// across threads: each (thread, device) pair gets its own on first use, destroyed at thread exit. Every call
// rebinds it to `stream` (a cudaStream_t of the current device; nullptr = default stream), since callers on one
// thread may use different streams.
cudnnHandle_t cudnn_handle_on(void* stream);
cublasHandle_t cublas_handle_on(void* stream);

}  // namespace genint
