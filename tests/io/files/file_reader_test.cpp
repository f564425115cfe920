// read_file_into's outcomes for every kind of entry a dataset folder can hold, and buffer reuse.
// A FIFO named like an image is the case that hangs naive loaders; it must return at once.
#include "io/files/file_reader.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace genint::io {
namespace {

namespace fs = std::filesystem;

class FileReaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = fs::temp_directory_path() / ("genint_file_reader_" + std::to_string(std::random_device{}()));
    fs::create_directories(folder_);
  }
  void TearDown() override { fs::remove_all(folder_); }
  std::string write(const std::string& name, const std::string& bytes) {
    const fs::path path = folder_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path.string();
  }
  fs::path folder_;
};

TEST_F(FileReaderTest, ReadsARegularFileWhole) {
  std::vector<std::uint8_t> buffer;
  const auto result = read_file_into(write("a.JPEG", "hello bytes"), buffer);
  EXPECT_EQ(result.outcome, FileReadOutcome::Ok);
  EXPECT_EQ(std::string(buffer.begin(), buffer.end()), "hello bytes");
}

TEST_F(FileReaderTest, ReusesTheBufferAcrossFiles) {
  std::vector<std::uint8_t> buffer;
  read_file_into(write("big.JPEG", std::string(4096, 'x')), buffer);
  const auto capacity = buffer.capacity();
  const auto* storage = buffer.data();
  read_file_into(write("small.JPEG", "yz"), buffer);
  EXPECT_EQ(buffer.size(), 2u);
  EXPECT_EQ(buffer.capacity(), capacity);
  EXPECT_EQ(buffer.data(), storage);
}

TEST_F(FileReaderTest, ReportsEmptyMissingAndTooLarge) {
  std::vector<std::uint8_t> buffer;
  EXPECT_EQ(read_file_into(write("empty.JPEG", ""), buffer).outcome, FileReadOutcome::Empty);
  EXPECT_EQ(read_file_into((folder_ / "absent.JPEG").string(), buffer).outcome, FileReadOutcome::Missing);
  EXPECT_EQ(read_file_into(write("large.JPEG", "0123456789"), buffer, 9).outcome, FileReadOutcome::TooLarge);
  EXPECT_TRUE(buffer.empty());
}

TEST_F(FileReaderTest, ADirectoryNamedLikeAFileIsNotARegularFile) {
  fs::create_directories(folder_ / "folder.JPEG");
  std::vector<std::uint8_t> buffer;
  EXPECT_EQ(read_file_into((folder_ / "folder.JPEG").string(), buffer).outcome, FileReadOutcome::NotARegularFile);
}

TEST_F(FileReaderTest, AFifoNamedLikeAFileReturnsAtOnce) {
  const fs::path fifo = folder_ / "pipe.JPEG";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::vector<std::uint8_t> buffer;
  EXPECT_EQ(read_file_into(fifo.string(), buffer).outcome, FileReadOutcome::NotARegularFile);
}

TEST_F(FileReaderTest, ADanglingSymlinkIsMissing) {
  fs::create_symlink(folder_ / "nowhere.JPEG", folder_ / "link.JPEG");
  std::vector<std::uint8_t> buffer;
  EXPECT_EQ(read_file_into((folder_ / "link.JPEG").string(), buffer).outcome, FileReadOutcome::Missing);
}

TEST(FileReadOutcomeName, NamesEveryOutcome) {
  EXPECT_STREQ(file_read_outcome_name(FileReadOutcome::NotARegularFile), "not_a_regular_file");
  EXPECT_STREQ(file_read_outcome_name(FileReadOutcome::TooLarge), "too_large");
}

}  // namespace
}  // namespace genint::io
