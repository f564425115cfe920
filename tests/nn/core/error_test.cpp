// The error core's messages: file, line, statement/condition and status text must all be present,
// because they are what a user pastes into a bug report.
#include "nn/core/error.h"

#include <gtest/gtest.h>

namespace genint {
namespace {

TEST(Error, CheckMacroNamesFileLineConditionAndMessage) {
  try {
    const int width = -3;
    GENINT_CHECK(width > 0, "width must be positive");
    FAIL() << "GENINT_CHECK did not throw";
  } catch (const Error& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("error_test.cpp:"), std::string::npos) << message;
    EXPECT_NE(message.find("width must be positive"), std::string::npos) << message;
    EXPECT_NE(message.find("width > 0"), std::string::npos) << message;
  }
}

TEST(Error, CheckMacroPassesWithoutSideEffects) {
  int evaluations = 0;
  GENINT_CHECK(++evaluations == 1, "evaluated once");
  EXPECT_EQ(evaluations, 1);
}

TEST(Error, DeviceLibraryFailureFormatsEveryPart) {
  const DeviceLibraryError error("cuDNN", 3, "CUDNN_STATUS_BAD_PARAM", "cudnnSetTensor4dDescriptor(d, -1)",
                                 "nn/ops/conv.cpp", 42);
  EXPECT_STREQ(error.what(),
               "nn/ops/conv.cpp:42: cuDNN error 3 (CUDNN_STATUS_BAD_PARAM) in "
               "`cudnnSetTensor4dDescriptor(d, -1)`");
  EXPECT_EQ(error.library(), "cuDNN");
  EXPECT_EQ(error.status_code(), 3);
  EXPECT_EQ(error.line(), 42);
}

TEST(Error, DeviceLibraryErrorIsAGenintError) {
  EXPECT_THROW(throw DeviceLibraryError("cuBLAS", 7, "text", "call()", "f.cpp", 1), Error);
}

}  // namespace
}  // namespace genint
