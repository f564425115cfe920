// Status-to-text through the real CUDA, cuBLAS and cuDNN libraries (host-only calls: no GPU needed),
// and the check macros' thrown message: file, line, statement and the library's text.
#include <gtest/gtest.h>

#include "nn/core/cuda_check.h"

namespace genint {
namespace {

template <typename Status>
std::string message_of_failed_check(Status status) {
  try {
    if constexpr (std::is_same_v<Status, cudaError_t>) GENINT_CUDA_CHECK(status);
    if constexpr (std::is_same_v<Status, cublasStatus_t>) GENINT_CUBLAS_CHECK(status);
    if constexpr (std::is_same_v<Status, cudnnStatus_t>) GENINT_CUDNN_CHECK(status);
  } catch (const DeviceLibraryError& error) {
    return error.what();
  }
  return "did not throw";
}

TEST(StatusText, CudaMessageNamesFileLineStatementAndText) {
  const std::string message = message_of_failed_check(cudaErrorMemoryAllocation);
  EXPECT_NE(message.find("status_text_test.cpp:"), std::string::npos) << message;
  EXPECT_NE(message.find("CUDA error 2"), std::string::npos) << message;
  EXPECT_NE(message.find("cudaErrorMemoryAllocation: out of memory"), std::string::npos) << message;
  EXPECT_NE(message.find("`status`"), std::string::npos) << message;
}

TEST(StatusText, CublasMessageCarriesTheLibraryText) {
  const std::string message = message_of_failed_check(CUBLAS_STATUS_INVALID_VALUE);
  EXPECT_NE(message.find("cuBLAS error 7"), std::string::npos) << message;
  EXPECT_NE(message.find("CUBLAS_STATUS_INVALID_VALUE"), std::string::npos) << message;
}

TEST(StatusText, CudnnMessageCarriesTheLibraryText) {
  const std::string message = message_of_failed_check(CUDNN_STATUS_BAD_PARAM);
  EXPECT_NE(message.find("cuDNN error"), std::string::npos) << message;
  EXPECT_NE(message.find("CUDNN_STATUS_BAD_PARAM"), std::string::npos) << message;
}

TEST(StatusText, SuccessDoesNotThrow) {
  EXPECT_NO_THROW(GENINT_CUDA_CHECK(cudaSuccess));
  EXPECT_NO_THROW(GENINT_CUBLAS_CHECK(CUBLAS_STATUS_SUCCESS));
  EXPECT_NO_THROW(GENINT_CUDNN_CHECK(CUDNN_STATUS_SUCCESS));
}

TEST(StatusText, NothrowVariantLogsInsteadOfThrowing) {
  ::testing::internal::CaptureStderr();
  EXPECT_NO_THROW(GENINT_CUDNN_CHECK_NOTHROW(CUDNN_STATUS_BAD_PARAM));
  const std::string output = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(output.find("CUDNN_STATUS_BAD_PARAM"), std::string::npos) << output;
}

}  // namespace
}  // namespace genint
