// The C API's one exception-to-status map (loader/c_api/c_api_boundary.cpp, compiled into this test): each genint
// error class and each standard failure gives its status, and the thread's last status and message follow it.
#include "loader/c_api/c_api_boundary.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>
#include <string>
#include <system_error>

namespace genint::c_api {
namespace {

template <typename Throw>
void expect_status(Throw&& throw_it, genint_status expected, const std::string& message_part) {
  const genint_status status = call_guarded(throw_it);
  EXPECT_EQ(status, expected) << genint_status_name(status) << " for '" << message_part << "'";
  EXPECT_EQ(genint_last_error_status(), expected);
  EXPECT_NE(std::string(genint_last_error_message()).find(message_part), std::string::npos)
      << genint_last_error_message();
}

TEST(CApiBoundary, EachGenintErrorClassMapsToItsStatus) {
  expect_status([] { throw ConfigError("sources[0].count", "must be positive"); }, GENINT_ERROR_INVALID_CONFIG,
                "sources[0].count");
  expect_status([] { throw MisuseError("released twice"); }, GENINT_ERROR_INVALID_ARGUMENT, "released twice");
  expect_status([] { throw UsageError("no PATH"); }, GENINT_ERROR_INVALID_ARGUMENT, "no PATH");
  expect_status([] { throw StoppedError("the loader was stopped"); }, GENINT_ERROR_STOPPED, "stopped");
  expect_status([] { throw DataError("no usable file"); }, GENINT_ERROR_IO, "no usable file");
  expect_status([] { throw DeviceLibraryError("cuDNN", 3, "CUDNN_STATUS_BAD_PARAM", "call()", "f.cpp", 9); },
                GENINT_ERROR_DEVICE, "CUDNN_STATUS_BAD_PARAM");
  expect_status([] { throw Error("a failed check"); }, GENINT_ERROR_INTERNAL, "a failed check");
  expect_status([] { throw Error("told", Status::OutOfMemory); }, GENINT_ERROR_OUT_OF_MEMORY, "told");
}

TEST(CApiBoundary, StandardFailuresMapByType) {
  expect_status([] { const nlohmann::json parsed = nlohmann::json::parse("{"); }, GENINT_ERROR_INVALID_CONFIG,
                "config: ");
  expect_status(
      [] {
        throw std::filesystem::filesystem_error("cannot read", "/nowhere",
                                                std::make_error_code(std::errc::no_such_file_or_directory));
      },
      GENINT_ERROR_IO, "/nowhere");
  expect_status([] { throw std::bad_alloc(); }, GENINT_ERROR_OUT_OF_MEMORY, "out of memory");
  expect_status([] { throw std::logic_error("not ours"); }, GENINT_ERROR_INTERNAL, "not ours");
  expect_status([] { throw 42; }, GENINT_ERROR_INTERNAL, "unknown exception");
}

TEST(CApiBoundary, ASuccessfulCallClearsTheLastError) {
  expect_status([] { throw StoppedError("stopped"); }, GENINT_ERROR_STOPPED, "stopped");
  EXPECT_EQ(call_guarded([] {}), GENINT_OK);
  EXPECT_EQ(genint_last_error_status(), GENINT_OK);
  EXPECT_STREQ(genint_last_error_message(), "");
}

}  // namespace
}  // namespace genint::c_api
