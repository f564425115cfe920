// The C API's always-available functions, called through the shared library as a trainer would.
#include <gtest/gtest.h>

#include <cstring>

#include "genint.h"

#ifndef GENINT_WITH_CUDA
#error "GENINT_WITH_CUDA (the build's CUDA flag, 0 or 1) must come from CMake"
#endif

namespace {

TEST(CApiBasics, VersionAndAbiAreReported) {
  EXPECT_EQ(genint_abi_version(), GENINT_ABI_VERSION);
  EXPECT_EQ(genint_abi_minor_version(), GENINT_ABI_MINOR_VERSION);
  EXPECT_GE(GENINT_ABI_MINOR_VERSION, 3);  // 1: device output, 2: genint_last_error_status, 3: batch extras
  const char* version = genint_version_string();
  ASSERT_NE(version, nullptr);
  EXPECT_GT(std::strlen(version), 4u);
  // GENINT_WITH_CUDA: this build's CUDA flag (0 or 1), given to every test by genint_target_defaults().
  EXPECT_EQ(genint_cuda_backend_built(), GENINT_WITH_CUDA);
}

TEST(CApiBasics, LastErrorStartsEmpty) {
  EXPECT_STREQ(genint_last_error_message(), "");
  EXPECT_EQ(genint_last_error_status(), GENINT_OK);
}

TEST(CApiBasics, LastErrorKeepsTheFailedCallsStatusUntilTheNextCall) {
  genint_loader* loader = nullptr;
  EXPECT_EQ(genint_loader_create_from_json("{\"batch_size\": \"many\"}", &loader), GENINT_ERROR_INVALID_CONFIG);
  EXPECT_EQ(loader, nullptr);
  EXPECT_EQ(genint_last_error_status(), GENINT_ERROR_INVALID_CONFIG);
  EXPECT_NE(std::strstr(genint_last_error_message(), "batch_size"), nullptr) << genint_last_error_message();
  EXPECT_EQ(genint_last_error_status(), GENINT_ERROR_INVALID_CONFIG);  // reading it changes nothing

  int32_t count = 0;
  EXPECT_EQ(genint_loader_source_count(nullptr, &count), GENINT_ERROR_INVALID_ARGUMENT);
  EXPECT_EQ(genint_last_error_status(), GENINT_ERROR_INVALID_ARGUMENT);
  EXPECT_NE(std::strstr(genint_last_error_message(), "NULL"), nullptr) << genint_last_error_message();

  EXPECT_EQ(genint_loader_destroy(nullptr), GENINT_OK);  // a successful call clears both
  EXPECT_EQ(genint_last_error_status(), GENINT_OK);
  EXPECT_STREQ(genint_last_error_message(), "");
}

TEST(CApiBasics, EveryStatusHasAName) {
  EXPECT_STREQ(genint_status_name(GENINT_OK), "GENINT_OK");
  EXPECT_STREQ(genint_status_name(GENINT_ERROR_INVALID_CONFIG), "GENINT_ERROR_INVALID_CONFIG");
  EXPECT_STREQ(genint_status_name(static_cast<genint_status>(999)), "GENINT_STATUS_UNKNOWN");
}

}  // namespace
