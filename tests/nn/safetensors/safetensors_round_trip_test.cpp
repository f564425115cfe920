// Writer → reader round trips through memory and through files (mmap), the typed accessors and
// their checks, the writer's own validation, its layout and its atomic replacement of files.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"
#include "tests/nn/safetensors/safetensors_test_support.h"

namespace genint::io {
namespace {

SafetensorsWriter sample_writer() {
  SafetensorsWriter writer;
  writer.add<float>("conv.weight", {2, 3}, {1.0F, -2.0F, 0.5F, 1e-7F, std::numeric_limits<float>::max(), -0.0F});
  writer.add<std::int64_t>("steps", {}, {std::numeric_limits<std::int64_t>::min()});
  writer.add<std::uint8_t>("bytes", {3}, {0, 128, 255});
  writer.add<double>("lambda", {1}, {0.05});
  writer.add<std::int32_t>("labels", {2, 2}, {-1, 2, 3, 999});
  writer.add<std::uint16_t>("half_bits", {2}, {0x3C00, 0xC000});  // stored as U16, not F16
  writer.add_bool("mask", {4}, {true, false, false, true});
  writer.add<float>("empty", {0, 5}, {});
  writer.set_metadata("format", "pt");
  writer.set_metadata("note", "\"quoted\" \\ and \xC3\xA9 and\nnewline");
  return writer;
}

void expect_sample_contents(const SafetensorsFile& file) {
  EXPECT_EQ(file.tensor_count(), 8U);
  EXPECT_EQ(file.read<float>("conv.weight"),
            (std::vector<float>{1.0F, -2.0F, 0.5F, 1e-7F, std::numeric_limits<float>::max(), -0.0F}));
  EXPECT_TRUE(std::signbit(file.read<float>("conv.weight")[5]));
  EXPECT_EQ(file.read<std::int64_t>("steps"), std::vector<std::int64_t>{std::numeric_limits<std::int64_t>::min()});
  EXPECT_TRUE(file.tensor("steps").shape.empty());
  EXPECT_EQ(file.tensor("steps").element_count, 1U);
  EXPECT_EQ(file.read<std::uint8_t>("bytes"), (std::vector<std::uint8_t>{0, 128, 255}));
  EXPECT_EQ(file.read<double>("lambda"), std::vector<double>{0.05});
  EXPECT_EQ(file.read<std::int32_t>("labels"), (std::vector<std::int32_t>{-1, 2, 3, 999}));
  EXPECT_EQ(file.tensor("labels").shape, (std::vector<std::uint64_t>{2, 2}));
  EXPECT_EQ(file.read<std::uint16_t>("half_bits"), (std::vector<std::uint16_t>{0x3C00, 0xC000}));
  EXPECT_EQ(file.read_bool("mask"), (std::vector<bool>{true, false, false, true}));
  EXPECT_EQ(file.tensor("empty").shape, (std::vector<std::uint64_t>{0, 5}));
  EXPECT_EQ(file.tensor("empty").byte_size, 0U);
  EXPECT_TRUE(file.read<float>("empty").empty());
  EXPECT_EQ(file.metadata().at("format"), "pt");
  EXPECT_EQ(file.metadata().at("note"), "\"quoted\" \\ and \xC3\xA9 and\nnewline");
}

TEST(SafetensorsRoundTrip, ThroughMemory) {
  expect_sample_contents(SafetensorsFile::take_bytes(sample_writer().serialize()));
}

TEST(SafetensorsRoundTrip, ThroughAMappedFile) {
  const testing::TemporaryDirectory directory;
  const std::string path = directory.file("sample.safetensors");
  sample_writer().write_file(path);
  const SafetensorsFile file = SafetensorsFile::open(path);
  EXPECT_EQ(file.source_name(), path);
  expect_sample_contents(file);
  EXPECT_EQ(testing::read_bytes(path), sample_writer().serialize());
}

TEST(SafetensorsRoundTrip, ViewsStayValidWhenTheFileObjectMoves) {
  const testing::TemporaryDirectory directory;
  sample_writer().write_file(directory.file("moved.safetensors"));
  SafetensorsFile original = SafetensorsFile::open(directory.file("moved.safetensors"));
  const std::uint8_t* data_before = original.tensor("bytes").data;
  const SafetensorsFile moved = std::move(original);
  EXPECT_EQ(moved.tensor("bytes").data, data_before);
  expect_sample_contents(moved);
}

TEST(SafetensorsRoundTrip, EmptyFileHasNoTensorsAndAnAlignedHeader) {
  const auto bytes = SafetensorsWriter().serialize();
  ASSERT_EQ(bytes.size(), 16U);  // length field + "{}" padded with six spaces
  EXPECT_EQ(std::string(bytes.begin() + 8, bytes.end()), "{}      ");
  EXPECT_EQ(SafetensorsFile::take_bytes(bytes).tensor_count(), 0U);
}

TEST(SafetensorsRoundTrip, LayoutIsWidestDtypeFirstThenByNameAndAligned) {
  const SafetensorsFile file = SafetensorsFile::take_bytes(sample_writer().serialize());
  // __metadata__ is not a tensor; header order is the reference's layout order.
  EXPECT_EQ(file.names(), (std::vector<std::string>{"steps", "lambda", "conv.weight", "empty", "labels", "half_bits",
                                                    "bytes", "mask"}));
  for (const auto& tensor : file.tensors()) {
    const auto size = safetensors_dtype_size(tensor.dtype);
    EXPECT_EQ(tensor.buffer_offset % size, 0U) << tensor.name;
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(tensor.data) % size, 0U) << tensor.name;
  }
}

TEST(SafetensorsRoundTrip, ZeroCopyViewChecksDtypeAndAlignment) {
  const SafetensorsFile file = SafetensorsFile::take_bytes(sample_writer().serialize());
  EXPECT_EQ(file.tensor("conv.weight").as<float>()[2], 0.5F);
  EXPECT_THROW(file.tensor("conv.weight").as<double>(), Error);
  // A legal but unpadded header (length 9) leaves the F32 data 1 byte off alignment.
  const std::string header = "{\"f\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
  std::string padded = header + std::string((8 - (header.size() + 8) % 8) % 8 + 1, ' ');
  auto bytes = testing::craft_file(padded, 0);
  const std::vector<float> values = {3.5F, -1.0F};
  const auto* value_bytes = static_cast<const std::uint8_t*>(static_cast<const void*>(values.data()));
  bytes.insert(bytes.end(), value_bytes, value_bytes + 8);
  const SafetensorsFile unaligned = SafetensorsFile::take_bytes(bytes);
  EXPECT_THROW(unaligned.tensor("f").as<float>(), Error);
  EXPECT_EQ(unaligned.read<float>("f"), values);
  EXPECT_EQ(unaligned.read_as_float("f"), values);
}

TEST(SafetensorsRoundTrip, TypedReadsRefuseTheWrongDtypeOrDestinationSize) {
  const SafetensorsFile file = SafetensorsFile::take_bytes(sample_writer().serialize());
  try {
    file.read<float>("steps");
    FAIL() << "read I64 as float";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("tensor 'steps': has dtype I64; this accessor needs F32"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(file.read_as_float("labels"), Error);
  EXPECT_THROW(file.read_bool("bytes"), Error);
  std::vector<float> too_small(5);
  EXPECT_THROW(file.read_into("conv.weight", too_small.data(), too_small.size()), Error);
  EXPECT_THROW(file.tensor("absent"), Error);
  EXPECT_FALSE(file.contains("absent"));
  EXPECT_TRUE(file.contains("mask"));
}

TEST(SafetensorsRoundTrip, BoolBytesOtherThanZeroOrOneAreRefused) {
  auto bytes = testing::craft_file("{\"m\":{\"dtype\":\"BOOL\",\"shape\":[3],\"data_offsets\":[0,3]}}", 3);
  bytes.back() = 2;  // craft_file counts 0, 1, 2
  const SafetensorsFile file = SafetensorsFile::take_bytes(bytes);
  EXPECT_THROW(file.read_bool("m"), Error);
}

TEST(SafetensorsWriterChecks, RefusesBadTensors) {
  SafetensorsWriter writer;
  writer.add<float>("a", {1}, {1.0F});
  EXPECT_THROW(writer.add<float>("a", {1}, {2.0F}), Error);
  EXPECT_THROW(writer.add<float>("__metadata__", {1}, {2.0F}), Error);
  EXPECT_THROW(writer.add<float>("b", {3}, {1.0F, 2.0F}), Error);
  EXPECT_THROW(writer.add<float>("c", {std::uint64_t{1} << 62U, 8}, {}), Error);
  EXPECT_THROW(writer.add<float>("bad\xC3\x28utf8", {1}, {1.0F}), Error);
  EXPECT_THROW(writer.set_metadata("key", "\xFF"), Error);
  EXPECT_EQ(writer.tensor_count(), 1U);
}

TEST(SafetensorsWriterChecks, ReplacesFilesAtomicallyAndLeavesNoTemporaries) {
  const testing::TemporaryDirectory directory;
  const std::string path = directory.file("weights.safetensors");
  testing::write_bytes(path, {'o', 'l', 'd'});
  sample_writer().write_file(path);
  expect_sample_contents(SafetensorsFile::open(path));
  std::size_t entries = 0;
  for (const auto& item : std::filesystem::directory_iterator(directory.path())) {
    static_cast<void>(item);
    ++entries;
  }
  EXPECT_EQ(entries, 1U) << "a temporary file was left behind";
  EXPECT_THROW(sample_writer().write_file(directory.file("missing-dir/weights.safetensors")), Error);
}

}  // namespace
}  // namespace genint::io
