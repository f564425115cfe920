// The one error type of genint and the check macros for plain conditions.
// Library code throws genint::Error; only the C API boundary converts it into status codes.
#pragma once

#include <stdexcept>
#include <string>

namespace genint {

// Every failure genint reports: a message that names where and why.
class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A failed call into CUDA, cuBLAS or cuDNN: keeps the pieces so callers and tests can inspect them.
class DeviceLibraryError : public Error {
 public:
  DeviceLibraryError(std::string library, long status_code, std::string status_text, std::string statement,
                     std::string file, int line);
  const std::string& library() const { return library_; }
  long status_code() const { return status_code_; }
  const std::string& status_text() const { return status_text_; }
  const std::string& statement() const { return statement_; }
  const std::string& file() const { return file_; }
  int line() const { return line_; }

 private:
  std::string library_;
  long status_code_;
  std::string status_text_;
  std::string statement_;
  std::string file_;
  int line_;
};

// "file:line: library error N (text) in `statement`" — one format for every device library.
std::string format_device_library_failure(const std::string& library, long status_code, const std::string& status_text,
                                          const std::string& statement, const std::string& file, int line);

[[noreturn]] void throw_check_failure(const char* condition, const std::string& message, const char* file, int line);

}  // namespace genint

// Throws genint::Error naming the file, line and condition when `condition` is false.
#define GENINT_CHECK(condition, message)                                                        \
  do {                                                                                          \
    if (!(condition)) ::genint::throw_check_failure(#condition, (message), __FILE__, __LINE__); \
  } while (0)
