// Formatting and throwing for genint's error types.
// Kept out of line so the check macros expand to a single cold call.
#include "nn/core/error.h"

#include <sstream>

namespace genint {

namespace {
std::string format_device_library_failure(const std::string& library, long status_code, const std::string& status_text,
                                          const std::string& statement, const std::string& file, int line) {
  std::ostringstream out;
  out << file << ':' << line << ": " << library << " error " << status_code << " (" << status_text << ") in `"
      << statement << '`';
  return out.str();
}
}  // namespace

DeviceLibraryError::DeviceLibraryError(std::string library, long status_code, const std::string& status_text,
                                       const std::string& statement, const std::string& file, int line)
    : Error(format_device_library_failure(library, status_code, status_text, statement, file, line), Status::Device),
      library_(std::move(library)),
      status_code_(status_code),
      line_(line) {}

void throw_check_failure(const char* condition, const std::string& message, const char* file, int line) {
  std::ostringstream out;
  out << file << ':' << line << ": " << message << " (check `" << condition << "` failed)";
  throw Error(out.str());
}

}  // namespace genint
