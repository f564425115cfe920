// The one strict number parser (nn/core/parse_number.h): whole decimal words only, each kind's range, no octal,
// no hex, no silent wrap of a negative into an unsigned, no non-finite numbers.
#include "nn/core/parse_number.h"

#include <gtest/gtest.h>

#include <limits>

namespace genint {
namespace {

TEST(ParseNumber, IntegersAreWholeDecimalWords) {
  EXPECT_EQ(parse_integer("12"), 12);
  EXPECT_EQ(parse_integer("-3"), -3);
  EXPECT_EQ(parse_integer("+7"), 7);
  EXPECT_EQ(parse_integer("010"), 10);  // decimal, not octal 8
  EXPECT_EQ(parse_integer("-9223372036854775808"), std::numeric_limits<std::int64_t>::min());
  for (const char* text : {"", "+", "-", "1e3", "0x10", "1.0", " 12", "12 ", "12x", "ten", "+-1",
                           "9223372036854775808"})  // the last is one past int64's maximum
    EXPECT_FALSE(parse_integer(text).has_value()) << '"' << text << '"';
}

TEST(ParseNumber, UnsignedCoversUint64AndRefusesASign) {
  EXPECT_EQ(parse_unsigned("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_EQ(parse_unsigned("0"), 0u);
  for (const char* text : {"-1", "+1", "18446744073709551616", "", "1 "})
    EXPECT_FALSE(parse_unsigned(text).has_value()) << '"' << text << '"';
}

TEST(ParseNumber, NumbersAreFiniteAndWhole) {
  EXPECT_EQ(parse_finite_number("0.5"), 0.5);
  EXPECT_EQ(parse_finite_number("-1e-3"), -1e-3);
  EXPECT_EQ(parse_finite_number("+2"), 2.0);
  EXPECT_EQ(parse_finite_number(".5"), 0.5);
  EXPECT_EQ(parse_finite_number("3"), 3.0);
  for (const char* text : {"", "nan", "inf", "-inf", "1e400", "0x1p3", "1.5x", " 1", "1 ", "1,5", "--1"})
    EXPECT_FALSE(parse_finite_number(text).has_value()) << '"' << text << '"';
}

}  // namespace
}  // namespace genint
