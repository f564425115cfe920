// IDX reading: plain and gzipped files give the same items; a bad magic number, a truncated or overlong
// file, out-of-range labels and missing or mismatched Fashion-MNIST files all fail with a named cause.
#include <gtest/gtest.h>

#include "io/scenes/idx_file.h"
#include "nn/core/error.h"
#include "tests/io/scenes/scenes_test_support.h"

namespace genint::io::scenes {
namespace {

using testing::TemporaryFolder;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(IdxFile, PlainAndGzippedFilesReadTheSameItems) {
  const TemporaryFolder folder;
  const LabelledImages half = testing::synthetic_half(3);
  testing::write_file(folder.path("images"), testing::idx_images_bytes(half.images), false);
  testing::write_file(folder.path("images.gz"), testing::idx_images_bytes(half.images), true);
  testing::write_file(folder.path("labels.gz"), testing::idx_labels_bytes(half.labels), true);
  for (const std::string name : {"images", "images.gz"}) {
    const IdxImages images = read_idx_images(folder.path(name));
    EXPECT_EQ(images.count, 30u);
    EXPECT_EQ(images.rows, 28);
    EXPECT_EQ(images.columns, 28);
    EXPECT_EQ(images.pixels, half.images.pixels) << name;
  }
  EXPECT_EQ(read_idx_labels(folder.path("labels.gz"), 10), half.labels);
}

TEST(IdxFile, BadMagicNumberIsAClearError) {
  const TemporaryFolder folder;
  std::string bytes = testing::idx_images_bytes(testing::synthetic_half(1).images);
  bytes[2] = 0x0D;  // type float instead of unsigned byte
  testing::write_file(folder.path("images"), bytes, false);
  const std::string message = error_of([&] { read_idx_images(folder.path("images")); });
  EXPECT_NE(message.find("bad magic number 0x00000D03"), std::string::npos) << message;
  EXPECT_NE(message.find(folder.path("images")), std::string::npos) << message;
  // A label file is not an image file, and the other way round.
  testing::write_file(folder.path("labels"), testing::idx_labels_bytes({1, 2}), false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.path("labels")); }).find("bad magic"), std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_labels(folder.path("images"), 10); }).find("bad magic"), std::string::npos);
}

TEST(IdxFile, TruncatedOrOverlongFilesAreRejected) {
  const TemporaryFolder folder;
  const std::string bytes = testing::idx_images_bytes(testing::synthetic_half(1).images);
  testing::write_file(folder.path("short.gz"), bytes.substr(0, bytes.size() - 5), true);
  EXPECT_NE(error_of([&] { read_idx_images(folder.path("short.gz")); }).find("truncated"), std::string::npos);
  testing::write_file(folder.path("header"), bytes.substr(0, 10), false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.path("header")); }).find("truncated"), std::string::npos);
  testing::write_file(folder.path("long"), bytes + "xx", false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.path("long")); }).find("bytes after"), std::string::npos);
  // A header claiming four billion items must fail on the missing data, not on allocating it.
  std::string huge = bytes.substr(0, 16);
  huge[4] = huge[5] = huge[6] = huge[7] = '\xFF';
  testing::write_file(folder.path("huge"), huge, false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.path("huge")); }).find("truncated"), std::string::npos);
}

TEST(IdxFile, LabelsOutOfRangeAreNamed) {
  const TemporaryFolder folder;
  testing::write_file(folder.path("labels"), testing::idx_labels_bytes({0, 9, 10}), false);
  const std::string message = error_of([&] { read_idx_labels(folder.path("labels"), 10); });
  EXPECT_NE(message.find("label 10 of item 2"), std::string::npos) << message;
}

TEST(IdxFile, LoadsAFashionMnistFolderAndNamesWhatIsMissing) {
  const TemporaryFolder folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(4, 2);
  testing::write_fashion_mnist_folder(data, folder.path(), true);
  const FashionMnist loaded = load_fashion_mnist(folder.path());
  EXPECT_EQ(loaded.train.images.pixels, data.train.images.pixels);
  EXPECT_EQ(loaded.test.labels, data.test.labels);
  EXPECT_NE(loaded.train.images_path.find("train-images-idx3-ubyte.gz"), std::string::npos);

  std::filesystem::remove(folder.path("t10k-labels-idx1-ubyte.gz"));
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path()); }).find("no t10k-labels-idx1-ubyte"), std::string::npos);
  testing::write_file(folder.path("t10k-labels-idx1-ubyte"), testing::idx_labels_bytes({1, 2, 3}), false);
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path()); }).find("20 images but"), std::string::npos);
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path("absent")); }).find("does not exist"), std::string::npos);
}

TEST(IdxFile, ClassFoldersSortInLabelOrder) {
  std::vector<std::string> folders = fashion_mnist_class_folders();
  ASSERT_EQ(folders.size(), 10u);
  EXPECT_TRUE(std::is_sorted(folders.begin(), folders.end()));
  EXPECT_EQ(folders.front(), "0_tshirt");
  EXPECT_EQ(folders.back(), "9_ankle_boot");
}

}  // namespace
}  // namespace genint::io::scenes
