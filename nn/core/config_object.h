// Strict reading of one JSON config object (the loader config, a source entry, an intervention): typed getters
// with ranges, each naming the field's full path in its ConfigError, and a final check that no unknown key was given.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "nn/core/error.h"

namespace genint {

class ConfigObject {
 public:
  // Throws ConfigError when `value` is not an object. `path` is "" for the root.
  ConfigObject(const nlohmann::json& value, std::string path);

  bool has(const std::string& key) const;
  std::string field(const std::string& key) const;  // "sources[0].count"
  std::int64_t integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  std::int64_t required_integer(const std::string& key, std::int64_t min, std::int64_t max);
  std::uint64_t unsigned_integer(const std::string& key, std::uint64_t fallback);
  double number(const std::string& key, double fallback, double min, double max);
  bool boolean(const std::string& key, bool fallback);
  std::string text(const std::string& key, const std::string& fallback);
  std::string required_text(const std::string& key);
  // One of `choices`; the error lists them.
  std::string choice(const std::string& key, const std::string& fallback, const std::vector<std::string>& choices);
  ConfigObject object(const std::string& key);          // the key must be present and an object
  const nlohmann::json& array(const std::string& key);  // the key must be present and an array
  // Throws ConfigError naming the first key no getter asked for (a typo must not be silently ignored).
  void reject_unknown_keys() const;
  // Throws ConfigError on the first of `keys` given: it "has no effect <why>".
  void reject_inapplicable(const std::vector<std::string>& keys, const std::string& why) const;
  const std::string& path() const { return path_; }
  const nlohmann::json& json() const { return value_; }

 private:
  const nlohmann::json& required(const std::string& key);
  const nlohmann::json* optional(const std::string& key);

  const nlohmann::json& value_;
  std::string path_;
  std::set<std::string> read_keys_;
};

// "string", "integer", "number", "boolean", "array", "object", "null": for error messages.
std::string json_type_name(const nlohmann::json& value);

// Runs `load` (reading a file a key names, building what the keys describe); a genint::Error from it becomes a
// ConfigError on object.field(key), so the message names the key that led there.
template <typename Load>
auto as_config_error(const ConfigObject& object, const std::string& key, Load&& load) {
  try {
    return load();
  } catch (const ConfigError&) {
    throw;
  } catch (const Error& error) {
    throw ConfigError(object.field(key), error.what());
  }
}

}  // namespace genint
