// Check macros for CUDA runtime, cuBLAS and cuDNN statuses: a failure throws
// genint::DeviceLibraryError naming file, line, statement and the library's own text.
// Internal header: included only by .cu files and CUDA dispatch files, never by public headers.
#pragma once

#include <cublas_v2.h>
#include <cuda_runtime.h>
#include <cudnn.h>

#include "nn/core/error.h"

namespace genint::detail {

[[noreturn]] void throw_status_failure(cudaError_t status, const char* statement, const char* file, int line);
[[noreturn]] void throw_status_failure(cublasStatus_t status, const char* statement, const char* file, int line);
[[noreturn]] void throw_status_failure(cudnnStatus_t status, const char* statement, const char* file, int line);
// For destructors and other places that must not throw: logs the failure at error level.
void log_status_failure(cudaError_t status, const char* statement, const char* file, int line);
void log_status_failure(cublasStatus_t status, const char* statement, const char* file, int line);
void log_status_failure(cudnnStatus_t status, const char* statement, const char* file, int line);

}  // namespace genint::detail

#define GENINT_DETAIL_STATUS_CHECK(statement, success, action)                                                 \
  do {                                                                                                         \
    const auto genint_status_ = (statement);                                                                   \
    if (genint_status_ != (success)) ::genint::detail::action(genint_status_, #statement, __FILE__, __LINE__); \
  } while (0)

#define GENINT_CUDA_CHECK(statement) GENINT_DETAIL_STATUS_CHECK(statement, cudaSuccess, throw_status_failure)
#define GENINT_CUBLAS_CHECK(statement) \
  GENINT_DETAIL_STATUS_CHECK(statement, CUBLAS_STATUS_SUCCESS, throw_status_failure)
#define GENINT_CUDNN_CHECK(statement) GENINT_DETAIL_STATUS_CHECK(statement, CUDNN_STATUS_SUCCESS, throw_status_failure)
#define GENINT_CUDA_CHECK_NOTHROW(statement) GENINT_DETAIL_STATUS_CHECK(statement, cudaSuccess, log_status_failure)
#define GENINT_CUBLAS_CHECK_NOTHROW(statement) \
  GENINT_DETAIL_STATUS_CHECK(statement, CUBLAS_STATUS_SUCCESS, log_status_failure)
#define GENINT_CUDNN_CHECK_NOTHROW(statement) \
  GENINT_DETAIL_STATUS_CHECK(statement, CUDNN_STATUS_SUCCESS, log_status_failure)
// After every kernel launch: launch-configuration errors surface here, not at a later sync. cudaGetLastError,
// not cudaPeekAtLastError: the peek leaves a handled error recorded, so the next good launch would report it.
#define GENINT_CUDA_CHECK_LAUNCH() GENINT_CUDA_CHECK(cudaGetLastError())
