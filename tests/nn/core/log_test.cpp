// The logger's level parsing and filtering; output goes to stderr, captured by GoogleTest.
#include "nn/core/log.h"

#include <gtest/gtest.h>

#include "nn/core/error.h"

namespace genint {
namespace {

class LogLevelRestorer : public ::testing::Test {
 protected:
  void TearDown() override { set_log_level(saved_); }
  LogLevel saved_ = log_level();
};

TEST_F(LogLevelRestorer, ParsesEveryLevelNameAndRejectsOthers) {
  EXPECT_EQ(parse_log_level("trace"), LogLevel::Trace);
  EXPECT_EQ(parse_log_level("warn"), LogLevel::Warn);
  EXPECT_EQ(parse_log_level("off"), LogLevel::Off);
  EXPECT_THROW(parse_log_level("verbose"), Error);
}

TEST_F(LogLevelRestorer, FiltersBelowTheLevel) {
  set_log_level(LogLevel::Warn);
  EXPECT_FALSE(log_enabled(LogLevel::Info));
  EXPECT_TRUE(log_enabled(LogLevel::Warn));
  EXPECT_TRUE(log_enabled(LogLevel::Error));
  set_log_level(LogLevel::Off);
  EXPECT_FALSE(log_enabled(LogLevel::Error));
}

TEST_F(LogLevelRestorer, DisabledMessagesAreNotFormatted) {
  set_log_level(LogLevel::Error);
  int formatted = 0;
  auto count = [&formatted] { return ++formatted; };
  GENINT_LOG(Debug) << "never " << count();
  EXPECT_EQ(formatted, 0);
  ::testing::internal::CaptureStderr();
  GENINT_LOG(Error) << "shown " << count();
  const std::string output = ::testing::internal::GetCapturedStderr();
  EXPECT_EQ(formatted, 1);
  EXPECT_EQ(output, "[genint error] shown 1\n");
}

TEST_F(LogLevelRestorer, LogOnceWritesOncePerKey) {
  set_log_level(LogLevel::Info);
  ::testing::internal::CaptureStderr();
  log_once(LogLevel::Warn, "log_test-key", "first");
  log_once(LogLevel::Warn, "log_test-key", "second");
  log_once(LogLevel::Warn, "log_test-other", "third");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "[genint warn] first\n[genint warn] third\n");
}

}  // namespace
}  // namespace genint
