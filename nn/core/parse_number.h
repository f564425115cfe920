// Strict number parsing, the one place genint turns text into numbers (command-line options, directions metadata,
// CSV cells, config keys): the whole text, in decimal, or nothing; callers word the error for their context.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace genint {

// A decimal integer with an optional sign ("12", "-3", "+7"). Not "", "1e3", "0x10", "1.0", " 12" or "12 ", and
// nothing that overflows int64. A leading zero is decimal ("010" is 10), never octal.
std::optional<std::int64_t> parse_integer(std::string_view text);

// As parse_integer without a sign, over the whole uint64 range (seeds).
std::optional<std::uint64_t> parse_unsigned(std::string_view text);

// A finite decimal number ("0.5", "-1e-3", "+2", ".5"). Not "", "nan", "inf", "1e400" (overflow), "0x1p3" or
// anything with characters left over.
std::optional<double> parse_finite_number(std::string_view text);

}  // namespace genint
