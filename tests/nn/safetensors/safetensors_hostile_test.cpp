// Every header validation rule of the safetensors reader, each with a crafted file that breaks it:
// the reader must throw genint::Error naming the tensor and the problem, never read out of bounds.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"
#include "tests/nn/safetensors/safetensors_test_support.h"

namespace genint::io {
namespace {

using testing::craft_file;
using testing::rejection_of;

void expect_rejected(const std::vector<std::uint8_t>& bytes, const std::string& expected_part) {
  const std::string message = rejection_of(bytes);
  ASSERT_FALSE(message.empty()) << "the reader accepted a file it must reject";
  EXPECT_NE(message.find(expected_part), std::string::npos) << message;
  EXPECT_NE(message.find("crafted.safetensors"), std::string::npos) << "message must name the source: " << message;
}

std::string entry(const std::string& name, const std::string& dtype, const std::string& shape,
                  const std::string& offsets) {
  return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
}

TEST(SafetensorsHostile, AcceptsTheWellFormedBaseline) {
  // The crafted files below differ from this accepted one in one field each.
  EXPECT_EQ(rejection_of(craft_file("{" + entry("a", "F32", "[2]", "[0,8]") + "}", 8)), "");
}

TEST(SafetensorsHostile, FileShorterThanTheLengthField) {
  expect_rejected({1, 0, 0, 0, 0, 0, 0}, "7 bytes, shorter than the 8-byte header length field");
  expect_rejected({}, "0 bytes, shorter than");
}

TEST(SafetensorsHostile, HeaderLengthAboveTheLimit) {
  expect_rejected(craft_file(std::uint64_t{1} << 63U, "{}", 0), "exceeds the limit of 100000000 bytes");
  expect_rejected(craft_file(kSafetensorsMaxHeaderBytes + 1, "{}", 0), "exceeds the limit");
}

TEST(SafetensorsHostile, HeaderLengthRunsPastTheEndOfTheFile) {
  const std::string header = "{" + entry("a", "F32", "[2]", "[0,8]") + "}";
  // The length claims 7 bytes more than the file holds after the length field.
  expect_rejected(craft_file(header.size() + 8 + 7, header, 8), "runs past the end of the file");
  expect_rejected(craft_file(kSafetensorsMaxHeaderBytes, "{}", 0), "runs past the end of the file");
}

TEST(SafetensorsHostile, HeaderMustBeAJsonObjectStartingWithBrace) {
  expect_rejected(craft_file("[1,2]", 0), "does not start with '{'");
  expect_rejected(craft_file(" {}", 0), "does not start with '{'");
  expect_rejected(craft_file(0, "", 0), "does not start with '{'");
}

TEST(SafetensorsHostile, MalformedJson) {
  expect_rejected(craft_file("{\"a\":", 0), "header is not valid JSON");
  expect_rejected(craft_file("{} trailing", 0), "header is not valid JSON");
  expect_rejected(craft_file("{\"a\":{\"dtype\":\"F32\",}}", 0), "header is not valid JSON");
  expect_rejected(craft_file("{\"\xC3\x28\":1}", 0), "header is not valid JSON");  // invalid UTF-8 in a key
  expect_rejected(craft_file(std::string("{\0}", 3), 0), "header is not valid JSON");
}

TEST(SafetensorsHostile, EntryMustBeAnObjectWithExactlyTheThreeFields) {
  expect_rejected(craft_file("{\"a\":5}", 0), "tensor 'a': entry is 5 (number), not an object");
  expect_rejected(craft_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0]}}", 0),
                  "tensor 'a': missing field 'data_offsets'");
  expect_rejected(craft_file("{\"a\":{\"shape\":[0],\"data_offsets\":[0,0]}}", 0), "missing field 'dtype'");
  expect_rejected(craft_file("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"extra\":1}}", 0),
                  "tensor 'a': unexpected field 'extra'");
}

TEST(SafetensorsHostile, DtypeMustBeAKnownString) {
  expect_rejected(craft_file("{" + entry("w", "F128", "[1]", "[0,16]") + "}", 16), "tensor 'w': unknown dtype 'F128'");
  expect_rejected(craft_file("{" + entry("w", "f32", "[1]", "[0,4]") + "}", 4), "unknown dtype 'f32'");
  expect_rejected(craft_file("{" + entry("w", "F4", "[2]", "[0,1]") + "}", 1),
                  "'F4' (packed sub-byte float) is not supported");
  expect_rejected(craft_file("{\"w\":{\"dtype\":4,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                  "tensor 'w': dtype is 4 (number), not a string");
}

TEST(SafetensorsHostile, ShapeMustBeAnArrayOfNonNegativeIntegers) {
  expect_rejected(craft_file("{" + entry("s", "F32", "[-1]", "[0,0]") + "}", 0), "tensor 's': shape[0] is -1 (number)");
  expect_rejected(craft_file("{" + entry("s", "F32", "[2,1.5]", "[0,12]") + "}", 12), "shape[1] is 1.5");
  expect_rejected(craft_file("{" + entry("s", "U8", "[18446744073709551616]", "[0,1]") + "}", 1),
                  "not a non-negative integer below 2^64");
  expect_rejected(craft_file("{" + entry("s", "F32", "\"2\"", "[0,8]") + "}", 8),
                  "shape is \"2\" (string), not an array");
  expect_rejected(craft_file("{" + entry("s", "F32", "[\"2\"]", "[0,8]") + "}", 8), "shape[0] is \"2\" (string)");
}

TEST(SafetensorsHostile, DataOffsetsMustBeTwoOrderedNonNegativeIntegers) {
  expect_rejected(craft_file("{" + entry("o", "U8", "[1]", "[1]") + "}", 1), "tensor 'o': data_offsets is [1] (array)");
  expect_rejected(craft_file("{" + entry("o", "U8", "[1]", "[0,1,2]") + "}", 1), "not an array [begin, end]");
  expect_rejected(craft_file("{" + entry("o", "U8", "[1]", "[-1,0]") + "}", 1), "data_offsets[0] is -1");
  expect_rejected(craft_file("{" + entry("o", "U8", "[0]", "[4,2]") + "}", 4),
                  "data_offsets [4, 2) end before they begin");
}

TEST(SafetensorsHostile, ByteCountMustMatchShapeTimesDtypeSize) {
  expect_rejected(craft_file("{" + entry("b", "F32", "[2]", "[0,4]") + "}", 4),
                  "tensor 'b': shape [2] of F32 needs 8 bytes but data_offsets [0, 4) hold 4");
  expect_rejected(craft_file("{" + entry("b", "BF16", "[]", "[0,4]") + "}", 4), "needs 2 bytes");
}

TEST(SafetensorsHostile, OverflowingShapesAreRejectedNotWrapped) {
  // 2^62 × 2^62 wraps to 0 in 64 bits: a wrapping check would accept it with a zero-size buffer.
  expect_rejected(craft_file("{" + entry("big", "F32", "[4611686018427387904,4611686018427387904]", "[0,0]") + "}", 0),
                  "tensor 'big': shape [4611686018427387904, 4611686018427387904] overflows a 64-bit element count");
  // 2^62 elements fit, but × 4 bytes wraps to 0.
  expect_rejected(craft_file("{" + entry("big", "F32", "[4611686018427387904]", "[0,0]") + "}", 0),
                  "overflows a 64-bit byte count");
}

TEST(SafetensorsHostile, OffsetsPastTheEndOfTheBuffer) {
  expect_rejected(craft_file("{" + entry("p", "F32", "[2]", "[0,8]") + "}", 7),
                  "tensor 'p': data_offsets [0, 8) run past the end of the byte buffer (7 bytes");
  expect_rejected(craft_file("{" + entry("p", "U8", "[1]", "[18446744073709551614,18446744073709551615]") + "}", 1),
                  "run past the end of the byte buffer");
}

TEST(SafetensorsHostile, OverlappingTensors) {
  expect_rejected(
      craft_file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "F32", "[2]", "[4,12]") + "}", 12),
      "tensor 'b': bytes [4, 12) overlap tensor 'a' at [0, 8)");
  // Two names for the same bytes.
  expect_rejected(
      craft_file("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[0,4]") + "}", 4),
      "overlap tensor");
  // An empty tensor placed inside another one is an overlap too (the reference rejects it as well).
  expect_rejected(
      craft_file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("z", "F32", "[0]", "[4,4]") + "}", 8),
      "tensor 'z': bytes [4, 4) overlap tensor 'a'");
}

TEST(SafetensorsHostile, HolesBetweenTensorsAreRejectedLikeTheReference) {
  expect_rejected(
      craft_file("{" + entry("a", "F32", "[1]", "[0,4]") + "," + entry("b", "F32", "[1]", "[8,12]") + "}", 12),
      "tensor 'b': bytes [4, 8) before it belong to no tensor (holes are not allowed)");
  expect_rejected(craft_file("{" + entry("late", "F32", "[1]", "[4,8]") + "}", 8),
                  "tensor 'late': bytes [0, 4) before it");
}

TEST(SafetensorsHostile, TrailingBytesAfterTheLastTensor) {
  expect_rejected(craft_file("{" + entry("a", "F32", "[1]", "[0,4]") + "}", 5),
                  "bytes [4, 5) at the end of the byte buffer belong to no tensor");
  expect_rejected(craft_file("{}", 3), "bytes [0, 3) at the end");
}

TEST(SafetensorsHostile, DuplicateKeys) {
  expect_rejected(craft_file("{" + entry("a", "U8", "[1]", "[0,1]") + "," + entry("a", "U8", "[1]", "[1,2]") + "}", 2),
                  "header repeats the key 'a'");
  expect_rejected(craft_file("{\"a\":{\"dtype\":\"U8\",\"dtype\":\"U8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1),
                  "repeats the key 'dtype' inside one tensor entry");
  expect_rejected(craft_file("{\"__metadata__\":{\"k\":\"1\"},\"__metadata__\":{}}", 0),
                  "repeats the key '__metadata__'");
  expect_rejected(craft_file("{\"__metadata__\":{\"k\":\"1\",\"k\":\"2\"}}", 0), "repeats the key 'k'");
}

TEST(SafetensorsHostile, MetadataMustMapStringsToStrings) {
  expect_rejected(craft_file("{\"__metadata__\":{\"epoch\":3}}", 0),
                  "__metadata__ key 'epoch' holds 3 (number), not a string");
  expect_rejected(craft_file("{\"__metadata__\":{\"k\":null}}", 0), "holds null (null), not a string");
  expect_rejected(craft_file("{\"__metadata__\":\"format\"}", 0), "__metadata__ is \"format\" (string), not an object");
  expect_rejected(craft_file("{\"__metadata__\":null}", 0), "__metadata__ is null");
  expect_rejected(craft_file("{\"__metadata__\":{\"k\":[\"v\"]}}", 0), "holds [\"v\"] (array), not a string");
  expect_rejected(craft_file("{\"__metadata__\":{\"k\":{\"x\":\"y\"}}}", 0),
                  "holds {\"x\":\"y\"} (object), not a string");
}

TEST(SafetensorsHostile, NestingDeeperThanTheFormatIsRefused) {
  expect_rejected(craft_file("{\"a\":{\"shape\":[[1]]}}", 0), "deeper than the format allows");
  // Deep enough to exhaust a recursive parser's stack; must stop at the first illegal level.
  expect_rejected(craft_file("{\"a\":" + std::string(200000, '[') + std::string(200000, ']') + "}", 0), "deeper");
}

TEST(SafetensorsHostile, NamesInMessagesAreMadePrintable) {
  const std::string message = rejection_of(craft_file("{\"bad\\u0001name\":5}", 0));
  EXPECT_NE(message.find("tensor 'bad\\x01name'"), std::string::npos) << message;
}

TEST(SafetensorsHostile, EveryTruncationOfAValidFileIsRejected) {
  const auto valid =
      craft_file("{" + entry("a", "F32", "[2]", "[0,8]") + "," + entry("b", "U8", "[3]", "[8,11]") + "}", 11);
  ASSERT_EQ(rejection_of(valid), "");
  for (std::size_t size = 0; size < valid.size(); ++size) {
    const std::vector<std::uint8_t> truncated(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(size));
    EXPECT_FALSE(rejection_of(truncated).empty()) << "accepted a file truncated to " << size << " bytes";
  }
}

TEST(SafetensorsHostile, OpenRefusesMissingFilesAndDirectories) {
  const testing::TemporaryDirectory directory;
  try {
    SafetensorsFile::open(directory.file("absent.safetensors"));
    FAIL() << "opened a missing file";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot open"), std::string::npos) << error.what();
  }
  EXPECT_THROW(SafetensorsFile::open(directory.path().string()), Error);
  testing::write_bytes(directory.file("empty.safetensors"), {});
  EXPECT_THROW(SafetensorsFile::open(directory.file("empty.safetensors")), Error);
}

}  // namespace
}  // namespace genint::io
