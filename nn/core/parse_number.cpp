// The strict number parser behind every option, metadata field and CSV cell genint reads as text: std::from_chars
// (locale-free, no base prefixes, no whitespace) over the whole text, plus the leading '+' that stod/stoi accepted.
#include "nn/core/parse_number.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace genint {
namespace {

// Reads all of `text` as a Number, or nothing. from_chars rejects '+', which people write and std::sto* took.
template <typename Number>
std::optional<Number> parse_whole(std::string_view text, bool allow_plus) {
  if (allow_plus && text.size() > 1 && text.front() == '+' && text[1] != '-') text.remove_prefix(1);
  Number value{};
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || stop != end) return std::nullopt;
  return value;
}

}  // namespace

std::optional<std::int64_t> parse_integer(std::string_view text) {
  return parse_whole<std::int64_t>(text, true);
}

std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
  return parse_whole<std::uint64_t>(text, false);
}

std::optional<double> parse_finite_number(std::string_view text) {
  const std::optional<double> value = parse_whole<double>(text, true);
  if (!value || !std::isfinite(*value)) return std::nullopt;
  return value;
}

}  // namespace genint
