// Status-to-text and throw/log paths for the CUDA, cuBLAS and cuDNN check macros.
// The text functions are host-only library calls, so this path is testable without a GPU.
#include "nn/core/cuda_check.h"

#include "nn/core/log.h"

namespace genint::detail {
namespace {

// "NAME: description" where the library offers both (CUDA, cuBLAS); cuDNN's text is its status name.
std::string status_text(cudaError_t status) {
  return std::string(cudaGetErrorName(status)) + ": " + cudaGetErrorString(status);
}
std::string status_text(cublasStatus_t status) {
  return std::string(cublasGetStatusName(status)) + ": " + cublasGetStatusString(status);
}
std::string status_text(cudnnStatus_t status) {
  return cudnnGetErrorString(status);
}

template <typename Status>
DeviceLibraryError make_failure(const char* library, Status status, const char* statement, const char* file, int line) {
  return DeviceLibraryError(library, static_cast<long>(status), status_text(status), statement, file, line);
}
}  // namespace

void throw_status_failure(cudaError_t status, const char* statement, const char* file, int line) {
  throw make_failure("CUDA", status, statement, file, line);
}
void throw_status_failure(cublasStatus_t status, const char* statement, const char* file, int line) {
  throw make_failure("cuBLAS", status, statement, file, line);
}
void throw_status_failure(cudnnStatus_t status, const char* statement, const char* file, int line) {
  throw make_failure("cuDNN", status, statement, file, line);
}

void log_status_failure(cudaError_t status, const char* statement, const char* file, int line) {
  log_write(LogLevel::Error, make_failure("CUDA", status, statement, file, line).what());
}
void log_status_failure(cublasStatus_t status, const char* statement, const char* file, int line) {
  log_write(LogLevel::Error, make_failure("cuBLAS", status, statement, file, line).what());
}
void log_status_failure(cudnnStatus_t status, const char* statement, const char* file, int line) {
  log_write(LogLevel::Error, make_failure("cuDNN", status, statement, file, line).what());
}

}  // namespace genint::detail
