// Typed, range-checked access to config objects. Integers must be JSON integers (3.0 is refused for a
// count: a float there is almost always a mistake such as a fraction written in the wrong field).
#include "nn/core/config_object.h"

#include <algorithm>

#include "nn/core/error.h"

namespace genint {

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_string()) return "string";
  if (value.is_boolean()) return "boolean";
  if (value.is_number_integer()) return "integer";
  if (value.is_number()) return "number";
  if (value.is_array()) return "array";
  if (value.is_object()) return "object";
  return "null";
}

ConfigObject::ConfigObject(const nlohmann::json& value, std::string path) : value_(value), path_(std::move(path)) {
  if (!value_.is_object())
    throw ConfigError(path_.empty() ? "(root)" : path_, "must be an object, got " + json_type_name(value_));
}

bool ConfigObject::has(const std::string& key) const {
  return value_.contains(key);
}

std::string ConfigObject::field(const std::string& key) const {
  return path_.empty() ? key : path_ + "." + key;
}

const nlohmann::json* ConfigObject::optional(const std::string& key) {
  read_keys_.insert(key);
  const auto found = value_.find(key);
  return found == value_.end() ? nullptr : &*found;
}

const nlohmann::json& ConfigObject::required(const std::string& key) {
  const nlohmann::json* value = optional(key);
  if (value == nullptr) throw ConfigError(field(key), "is required");
  return *value;
}

namespace {
std::int64_t checked_integer(const nlohmann::json& value, const std::string& field, std::int64_t min,
                             std::int64_t max) {
  if (!value.is_number_integer()) throw ConfigError(field, "must be an integer, got " + json_type_name(value));
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > static_cast<std::uint64_t>(max))
    throw ConfigError(field, "must be at most " + std::to_string(max) + ", got " + value.dump());
  const std::int64_t number = value.get<std::int64_t>();
  if (number < min || number > max)
    throw ConfigError(
        field, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(number));
  return number;
}
}  // namespace

std::int64_t ConfigObject::integer(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max) {
  const nlohmann::json* value = optional(key);
  return value == nullptr ? fallback : checked_integer(*value, field(key), min, max);
}

std::int64_t ConfigObject::required_integer(const std::string& key, std::int64_t min, std::int64_t max) {
  return checked_integer(required(key), field(key), min, max);
}

std::uint64_t ConfigObject::unsigned_integer(const std::string& key, std::uint64_t fallback) {
  const nlohmann::json* value = optional(key);
  if (value == nullptr) return fallback;
  if (!value->is_number_integer() || (!value->is_number_unsigned() && value->get<std::int64_t>() < 0))
    throw ConfigError(field(key), "must be a non-negative integer, got " + value->dump());
  return value->get<std::uint64_t>();
}

double ConfigObject::number(const std::string& key, double fallback, double min, double max) {
  const nlohmann::json* value = optional(key);
  if (value == nullptr) return fallback;
  if (!value->is_number()) throw ConfigError(field(key), "must be a number, got " + json_type_name(*value));
  const double number = value->get<double>();
  if (!(number >= min && number <= max))
    throw ConfigError(field(key),
                      "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + value->dump());
  return number;
}

bool ConfigObject::boolean(const std::string& key, bool fallback) {
  const nlohmann::json* value = optional(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) throw ConfigError(field(key), "must be true or false, got " + json_type_name(*value));
  return value->get<bool>();
}

std::string ConfigObject::text(const std::string& key, const std::string& fallback) {
  const nlohmann::json* value = optional(key);
  if (value == nullptr) return fallback;
  if (!value->is_string()) throw ConfigError(field(key), "must be a string, got " + json_type_name(*value));
  return value->get<std::string>();
}

std::string ConfigObject::required_text(const std::string& key) {
  required(key);  // throws when the key is absent; text() then reads it
  return text(key, "");
}

std::string ConfigObject::choice(const std::string& key, const std::string& fallback,
                                 const std::vector<std::string>& choices) {
  const std::string value = text(key, fallback);
  if (std::find(choices.begin(), choices.end(), value) != choices.end()) return value;
  std::string listed;
  for (const std::string& option : choices) listed += (listed.empty() ? "" : ", ") + option;
  throw ConfigError(field(key), "must be one of " + listed + ", got '" + value + "'");
}

ConfigObject ConfigObject::object(const std::string& key) {
  return ConfigObject(required(key), field(key));
}

const nlohmann::json& ConfigObject::array(const std::string& key) {
  const nlohmann::json& value = required(key);
  if (!value.is_array()) throw ConfigError(field(key), "must be an array, got " + json_type_name(value));
  return value;
}

void ConfigObject::reject_unknown_keys() const {
  for (const auto& item : value_.items())
    if (read_keys_.count(item.key()) == 0) throw ConfigError(field(item.key()), "is not a known setting");
}

void ConfigObject::reject_inapplicable(const std::vector<std::string>& keys, const std::string& why) const {
  for (const std::string& key : keys)
    if (has(key)) throw ConfigError(field(key), "has no effect " + why);
}

}  // namespace genint
