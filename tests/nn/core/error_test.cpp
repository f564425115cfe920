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

TEST(Error, EveryErrorClassCarriesItsStatus) {
  EXPECT_EQ(Error("plain").status(), Status::Internal);
  EXPECT_EQ(Error("told", Status::Io).status(), Status::Io);
  EXPECT_EQ(ConfigError("sources[0].count", "must be positive").status(), Status::InvalidConfig);
  EXPECT_EQ(MisuseError("released twice").status(), Status::InvalidArgument);
  EXPECT_EQ(UsageError("no PATH given").status(), Status::InvalidArgument);
  EXPECT_EQ(StoppedError("stopped").status(), Status::Stopped);
  EXPECT_EQ(DataError("no usable item").status(), Status::Io);
  EXPECT_EQ(DeviceLibraryError("cuDNN", 3, "text", "call()", "f.cpp", 1).status(), Status::Device);
  try {
    GENINT_CHECK(1 + 1 == 3, "arithmetic");
  } catch (const Error& error) {
    EXPECT_EQ(error.status(), Status::Internal);  // a failed check is a bug
  }
}

TEST(Error, ConfigErrorNamesItsField) {
  const ConfigError error("sources[1].count", "must be at least 1");
  EXPECT_EQ(error.field(), "sources[1].count");
  EXPECT_STREQ(error.what(), "config field 'sources[1].count': must be at least 1");
}

}  // namespace
}  // namespace genint
