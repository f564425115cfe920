// A small levelled logger: one line per message to stderr, safe from any thread.
// The level comes from GENINT_LOG_LEVEL (trace, debug, info, warn, error, off); default info.
#pragma once

#include <sstream>
#include <string>

namespace genint {

enum class LogLevel { Trace = 0, Debug = 1, Info = 2, Warn = 3, Error = 4, Off = 5 };

LogLevel log_level();
void set_log_level(LogLevel level);
// Parses "trace".."off"; throws genint::Error on anything else.
LogLevel parse_log_level(const std::string& name);
bool log_enabled(LogLevel level);
void log_write(LogLevel level, const std::string& message);
// Writes the message only the first time `key` is seen in this process (for per-file warnings).
void log_once(LogLevel level, const std::string& key, const std::string& message);

namespace detail {
// Collects one message and writes it when the statement ends.
class LogLine {
 public:
  explicit LogLine(LogLevel level) : level_(level) {}
  LogLine(const LogLine&) = delete;
  LogLine& operator=(const LogLine&) = delete;
  ~LogLine() { log_write(level_, stream_.str()); }
  template <typename T>
  LogLine& operator<<(const T& value) {
    stream_ << value;
    return *this;
  }

 private:
  LogLevel level_;
  std::ostringstream stream_;
};
}  // namespace detail

}  // namespace genint

// GENINT_LOG(Warn) << "skipped " << path;  — the message is not even formatted when the level is off.
#define GENINT_LOG(level)                                  \
  if (!::genint::log_enabled(::genint::LogLevel::level)) { \
  } else                                                   \
    ::genint::detail::LogLine(::genint::LogLevel::level)
