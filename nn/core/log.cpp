// The logger's state: the level (from GENINT_LOG_LEVEL at first use), the stderr lock
// and the set of keys already logged once.
#include "nn/core/log.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <mutex>
#include <unordered_set>

#include "nn/core/error.h"

namespace genint {
namespace {

std::atomic<int>& level_storage() {
  static std::atomic<int> level{[] {
    const char* from_environment = std::getenv("GENINT_LOG_LEVEL");
    if (from_environment == nullptr || *from_environment == '\0') return static_cast<int>(LogLevel::Info);
    try {
      return static_cast<int>(parse_log_level(from_environment));
    } catch (const Error&) {
      std::fprintf(stderr, "[genint warn] GENINT_LOG_LEVEL='%s' is not a level; using info\n", from_environment);
      return static_cast<int>(LogLevel::Info);
    }
  }()};
  return level;
}

std::mutex& output_mutex() {
  static std::mutex mutex;
  return mutex;
}

const char* level_name(LogLevel level) {
  static const char* const names[] = {"trace", "debug", "info", "warn", "error", "off"};  // in LogLevel's order
  static_assert(std::size(names) == static_cast<std::size_t>(LogLevel::Off) + 1, "");
  const auto index = static_cast<std::size_t>(level);
  return index < std::size(names) ? names[index] : "?";
}

}  // namespace

LogLevel log_level() {
  return static_cast<LogLevel>(level_storage().load(std::memory_order_relaxed));
}

void set_log_level(LogLevel level) {
  level_storage().store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel parse_log_level(const std::string& name) {
  for (int level = 0; level <= static_cast<int>(LogLevel::Off); ++level) {
    if (name == level_name(static_cast<LogLevel>(level))) return static_cast<LogLevel>(level);
  }
  throw Error("unknown log level '" + name + "' (expected trace, debug, info, warn, error or off)");
}

bool log_enabled(LogLevel level) {
  return level != LogLevel::Off && level >= log_level();
}

void log_write(LogLevel level, const std::string& message) {
  if (!log_enabled(level)) return;
  std::lock_guard<std::mutex> lock(output_mutex());
  std::fprintf(stderr, "[genint %s] %s\n", level_name(level), message.c_str());
}

void log_once(LogLevel level, const std::string& key, const std::string& message) {
  static std::mutex seen_mutex;
  static std::unordered_set<std::string> seen;
  {
    std::lock_guard<std::mutex> lock(seen_mutex);
    if (!seen.insert(key).second) return;
  }
  log_write(level, message);
}

}  // namespace genint
