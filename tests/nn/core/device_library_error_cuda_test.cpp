// Provokes real failures inside cuDNN and cuBLAS on a GPU (a bad descriptor, a negative matrix size)
// and checks the thrown message. Skips where no GPU is present.
#include <gtest/gtest.h>

#include "nn/core/cuda_check.h"
#include "support/cuda_test_support.h"

namespace genint {
namespace {

TEST(DeviceLibraryErrorCuda, CudnnBadDescriptorThrowsWithStatement) {
  GENINT_REQUIRE_CUDA_DEVICE();
  cudnnTensorDescriptor_t descriptor = nullptr;
  GENINT_CUDNN_CHECK(cudnnCreateTensorDescriptor(&descriptor));
  try {
    GENINT_CUDNN_CHECK(cudnnSetTensor4dDescriptor(descriptor, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, -1, 3, 8, 8));
    ADD_FAILURE() << "a negative batch size was accepted";
  } catch (const DeviceLibraryError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.library(), "cuDNN");
    EXPECT_NE(message.find("device_library_error_cuda_test.cpp:"), std::string::npos) << message;
    EXPECT_NE(message.find("cudnnSetTensor4dDescriptor"), std::string::npos) << message;
    EXPECT_NE(message.find("CUDNN_STATUS_BAD_PARAM"), std::string::npos) << message;
  }
  GENINT_CUDNN_CHECK(cudnnDestroyTensorDescriptor(descriptor));
}

TEST(DeviceLibraryErrorCuda, CublasNegativeSizeThrowsWithStatement) {
  GENINT_REQUIRE_CUDA_DEVICE();
  cublasHandle_t handle = nullptr;
  GENINT_CUBLAS_CHECK(cublasCreate(&handle));
  const float one = 1.0f;
  try {
    GENINT_CUBLAS_CHECK(
        cublasSgemm(handle, CUBLAS_OP_N, CUBLAS_OP_N, -1, 4, 4, &one, nullptr, 1, nullptr, 4, &one, nullptr, 1));
    ADD_FAILURE() << "a negative matrix size was accepted";
  } catch (const DeviceLibraryError& error) {
    const std::string message = error.what();
    EXPECT_EQ(error.library(), "cuBLAS");
    EXPECT_NE(message.find("cublasSgemm"), std::string::npos) << message;
    EXPECT_NE(message.find("CUBLAS_STATUS_INVALID_VALUE"), std::string::npos) << message;
  }
  GENINT_CUBLAS_CHECK(cublasDestroy(handle));
}

TEST(DeviceLibraryErrorCuda, ImpossibleAllocationThrows) {
  GENINT_REQUIRE_CUDA_DEVICE();
  void* pointer = nullptr;
  // Asking for more memory than any GPU has is a clean, recoverable CUDA failure.
  EXPECT_THROW(GENINT_CUDA_CHECK(cudaMalloc(&pointer, std::size_t{1} << 62)), DeviceLibraryError);
  cudaGetLastError();
}

}  // namespace
}  // namespace genint
