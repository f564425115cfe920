// Interoperability with the reference implementation: files written by the real safetensors Python
// package (tests/data/safetensors, made by tools/golden/make_safetensors_fixtures.py) read back exactly,
// and our writer reproduces the Python-written file byte for byte.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"
#include "tests/nn/safetensors/safetensors_test_support.h"

namespace genint::io {
namespace {

const std::string kFixtureDirectory = GENINT_TEST_DATA_DIR "/safetensors/";

// The fixture's tensors, as the Python script defines them.
const std::vector<float> kWeight = {1.5F, -2.25F, 0.0F, 1024.0F, -0.125F, 3.75F};
const std::vector<std::uint16_t> kBrainBits = {0x3F80, 0xC020, 0x3E20, 0x4049};
const std::vector<std::int64_t> kCounts = {-3, 0, std::int64_t{1} << 40U, std::numeric_limits<std::int64_t>::max()};
const std::vector<double> kWide = {0.1, -1e300};
const std::vector<std::int32_t> kIndex = {-1, 0, std::numeric_limits<std::int32_t>::max()};
const std::vector<std::int16_t> kDelta = {-32768, 12345};
const std::vector<std::int8_t> kOffset = {-128, 127};
const std::vector<std::uint8_t> kPixels = {0, 1, 127, 128, 255};
const std::vector<bool> kMask = {true, false, true};
// numpy's float16 encoding of 1, -2, 0.5, 65504, 2^-14, 2^-24, inf.
const std::vector<std::uint16_t> kHalfBits = {0x3C00, 0xC000, 0x3800, 0x7BFF, 0x0400, 0x0001, 0x7C00};

TEST(SafetensorsPythonFixture, ReadsEveryDtypeWrittenByTheReference) {
  const SafetensorsFile file = SafetensorsFile::open(kFixtureDirectory + "all_dtypes.safetensors");
  EXPECT_EQ(file.tensor_count(), 12U);
  EXPECT_EQ(file.read<float>("weight_f32"), kWeight);
  EXPECT_EQ(file.tensor("weight_f32").shape, (std::vector<std::uint64_t>{2, 3}));
  // Exact comparisons: every F16/BF16 value is exactly representable as a float.
  EXPECT_EQ(file.read_as_float("half_f16"),
            (std::vector<float>{1.0F, -2.0F, 0.5F, 65504.0F, std::ldexp(1.0F, -14), std::ldexp(1.0F, -24),
                                std::numeric_limits<float>::infinity()}));
  EXPECT_EQ(file.read_as_float("brain_bf16"), (std::vector<float>{1.0F, -2.5F, 0.15625F, 3.140625F}));
  EXPECT_EQ(file.tensor("brain_bf16").dtype, SafetensorsDtype::BF16);
  EXPECT_EQ(file.read<std::int64_t>("counts_i64"), kCounts);
  EXPECT_EQ(file.read<double>("wide_f64"), kWide);
  EXPECT_EQ(file.read<std::int32_t>("index_i32"), kIndex);
  EXPECT_EQ(file.read<std::int16_t>("delta_i16"), kDelta);
  EXPECT_EQ(file.read<std::int8_t>("offset_i8"), kOffset);
  EXPECT_EQ(file.read<std::uint8_t>("pixels_u8"), kPixels);
  EXPECT_EQ(file.read_bool("mask_bool"), kMask);
  EXPECT_TRUE(file.tensor("scalar_f32").shape.empty());
  EXPECT_EQ(file.read<float>("scalar_f32"), std::vector<float>{42.5F});
  EXPECT_EQ(file.tensor("empty_f32").shape, (std::vector<std::uint64_t>{0, 3}));
  EXPECT_EQ(file.tensor("empty_f32").element_count, 0U);
  ASSERT_EQ(file.metadata().size(), 1U);
  EXPECT_EQ(file.metadata().at("made_by").rfind("python3 tools/golden/make_safetensors_fixtures.py", 0), 0U);
}

TEST(SafetensorsPythonFixture, ReadsAFileWithoutMetadataFromABorrowedSpan) {
  const auto bytes = testing::read_bytes(kFixtureDirectory + "no_metadata.safetensors");
  ASSERT_EQ(bytes.size(), 84U);
  const SafetensorsFile file = SafetensorsFile::view_bytes(bytes.data(), bytes.size());
  EXPECT_TRUE(file.metadata().empty());
  EXPECT_EQ(file.names(), std::vector<std::string>{"only"});
  EXPECT_EQ(file.read<float>("only"), (std::vector<float>{1.0F, 2.0F, 3.0F}));
}

TEST(SafetensorsPythonFixture, WriterReproducesThePythonFileByteForByte) {
  const std::string path = kFixtureDirectory + "all_dtypes.safetensors";
  const std::string made_by = SafetensorsFile::open(path).metadata().at("made_by");
  SafetensorsWriter writer;
  // Added in an order unlike the file's: the writer must sort exactly as the reference does.
  writer.add_bool("mask_bool", {3}, kMask);
  writer.add<std::uint8_t>("pixels_u8", {5}, kPixels);
  writer.add_tensor("half_f16", SafetensorsDtype::F16, {7}, kHalfBits.data(), kHalfBits.size() * 2);
  writer.add_tensor("brain_bf16", SafetensorsDtype::BF16, {4}, kBrainBits.data(), kBrainBits.size() * 2);
  writer.add<float>("weight_f32", {2, 3}, kWeight);
  writer.add<float>("scalar_f32", {}, {42.5F});
  writer.add<float>("empty_f32", {0, 3}, {});
  writer.add<std::int8_t>("offset_i8", {2}, kOffset);
  writer.add<std::int16_t>("delta_i16", {2}, kDelta);
  writer.add<std::int32_t>("index_i32", {3}, kIndex);
  writer.add<double>("wide_f64", {2}, kWide);
  writer.add<std::int64_t>("counts_i64", {2, 2}, kCounts);
  writer.set_metadata("made_by", made_by);
  const auto ours = writer.serialize();
  const auto theirs = testing::read_bytes(path);
  ASSERT_EQ(ours.size(), theirs.size());
  EXPECT_EQ(std::string(ours.begin(), ours.end()), std::string(theirs.begin(), theirs.end()));
}

TEST(SafetensorsPythonFixture, WriterReproducesTheFileWithoutMetadata) {
  SafetensorsWriter writer;
  writer.add<float>("only", {3}, {1.0F, 2.0F, 3.0F});
  EXPECT_EQ(writer.serialize(), testing::read_bytes(kFixtureDirectory + "no_metadata.safetensors"));
}

}  // namespace
}  // namespace genint::io
