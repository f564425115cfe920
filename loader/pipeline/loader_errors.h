// The loader's failure kinds, one per C status they map to, so the C API can tell a bad config from a
// stopped loader or a misused handle without parsing messages.
#pragma once

#include <string>

#include "nn/core/error.h"

namespace genint::loader {

// A config field is missing, of the wrong type, out of range or names something that does not exist.
// The message starts with the field's path ("sources[1].count").
class ConfigError : public Error {
 public:
  ConfigError(const std::string& field, const std::string& message)
      : Error("config field '" + field + "': " + message), field_(field) {}
  const std::string& field() const { return field_; }

 private:
  std::string field_;
};

// The loader was shut down (destroyed, or stopped by an earlier failure) while a call waited.
class StoppedError : public Error {
 public:
  using Error::Error;
};

// The caller broke a rule of the API: released a batch twice, borrowed every batch buffer.
class MisuseError : public Error {
 public:
  using Error::Error;
};

// The data ran out of usable items (every substitute for a sample was unreadable too).
class DataError : public Error {
 public:
  using Error::Error;
};

}  // namespace genint::loader
