// genint's one error hierarchy: every error carries its Status, the code the C API returns for it, so the
// boundary (loader/c_api) maps any genint exception to its status without a ladder of catch clauses.
#pragma once

#include <stdexcept>
#include <string>

namespace genint {

// Why a call failed. The values are genint_status's (loader/genint.h), checked equal where the C API returns them.
enum class Status : int {
  Ok = 0,
  InvalidArgument = 1,  // the caller broke a rule of the API (a bad value, a batch released twice)
  InvalidConfig = 2,    // a config field is missing, mistyped, out of range or names what does not exist
  Io = 3,               // a file or folder could not be read; the data ran out of usable items
  Device = 4,           // CUDA, cuBLAS or cuDNN failed
  OutOfMemory = 5,
  Stopped = 6,  // the loader was shut down while the call waited
  Internal = 7  // anything else: a failed check, a bug
};

// Every failure genint reports: a message that names where and why, and its status.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message, Status status = Status::Internal)
      : std::runtime_error(message), status_(status) {}
  Status status() const { return status_; }

 private:
  Status status_;
};

// A config field is missing, of the wrong type, out of range or names something that does not exist.
// The message starts with the field's path ("sources[1].count").
class ConfigError : public Error {
 public:
  ConfigError(const std::string& field, const std::string& message)
      : Error("config field '" + field + "': " + message, Status::InvalidConfig), field_(field) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// The caller broke a rule of the API: released a batch twice, borrowed every batch buffer.
class MisuseError : public Error {
 public:
  explicit MisuseError(const std::string& message) : Error(message, Status::InvalidArgument) {}
};

// Wrong command-line arguments: a tool prints its usage and exits 2.
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message) : Error(message, Status::InvalidArgument) {}
};

// The loader was shut down (destroyed, or stopped by an earlier failure) while a call waited.
class StoppedError : public Error {
 public:
  explicit StoppedError(const std::string& message) : Error(message, Status::Stopped) {}
};

// The data ran out of usable items (every substitute for a sample was unreadable too).
class DataError : public Error {
 public:
  explicit DataError(const std::string& message) : Error(message, Status::Io) {}
};

// A failed call into CUDA, cuBLAS or cuDNN, "file:line: library error N (text) in `statement`" (one format for every
// device library); the library, status code and line are kept for callers and tests to inspect.
class DeviceLibraryError : public Error {
 public:
  DeviceLibraryError(std::string library, long status_code, const std::string& status_text,
                     const std::string& statement, const std::string& file, int line);
  const std::string& library() const { return library_; }
  long status_code() const { return status_code_; }
  int line() const { return line_; }

 private:
  std::string library_;
  long status_code_;
  int line_;
};

[[noreturn]] void throw_check_failure(const char* condition, const std::string& message, const char* file, int line);

}  // namespace genint

// Throws genint::Error naming the file, line and condition when `condition` is false.
#define GENINT_CHECK(condition, message)                                                        \
  do {                                                                                          \
    if (!(condition)) ::genint::throw_check_failure(#condition, (message), __FILE__, __LINE__); \
  } while (0)
