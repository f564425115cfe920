// IDX reading: plain and gzipped files give the same items; a bad magic number, a truncated or overlong
// file, out-of-range labels and missing or mismatched Fashion-MNIST files all fail with a named cause.
#include "io/scenes/idx_file.h"

#include <gtest/gtest.h>

#include "nn/core/error.h"
#include "tests/io/scenes/scenes_test_support.h"

namespace genint::io::scenes {
namespace {

using testing::TemporaryDirectory;

std::string error_of(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(IdxFile, PlainAndGzippedFilesReadTheSameItems) {
  const TemporaryDirectory folder;
  const LabelledImages half = testing::synthetic_half(3);
  testing::write_file(folder.file("images"), testing::idx_images_bytes(half.images), false);
  testing::write_file(folder.file("images.gz"), testing::idx_images_bytes(half.images), true);
  testing::write_file(folder.file("labels.gz"), testing::idx_labels_bytes(half.labels), true);
  for (const std::string name : {"images", "images.gz"}) {
    const IdxImages images = read_idx_images(folder.file(name));
    EXPECT_EQ(images.count, 30u);
    EXPECT_EQ(images.rows, 28);
    EXPECT_EQ(images.columns, 28);
    EXPECT_EQ(images.pixels, half.images.pixels) << name;
  }
  EXPECT_EQ(read_idx_labels(folder.file("labels.gz"), 10), half.labels);
}

TEST(IdxFile, BadMagicNumberIsAClearError) {
  const TemporaryDirectory folder;
  std::string bytes = testing::idx_images_bytes(testing::synthetic_half(1).images);
  bytes[2] = 0x0D;  // type float instead of unsigned byte
  testing::write_file(folder.file("images"), bytes, false);
  const std::string message = error_of([&] { read_idx_images(folder.file("images")); });
  EXPECT_NE(message.find("bad magic number 0x00000D03"), std::string::npos) << message;
  EXPECT_NE(message.find(folder.file("images")), std::string::npos) << message;
  // A label file is not an image file, and the other way round.
  testing::write_file(folder.file("labels"), testing::idx_labels_bytes({1, 2}), false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.file("labels")); }).find("bad magic"), std::string::npos);
  EXPECT_NE(error_of([&] { read_idx_labels(folder.file("images"), 10); }).find("bad magic"), std::string::npos);
}

TEST(IdxFile, TruncatedOrOverlongFilesAreRejected) {
  const TemporaryDirectory folder;
  const std::string bytes = testing::idx_images_bytes(testing::synthetic_half(1).images);
  testing::write_file(folder.file("short.gz"), bytes.substr(0, bytes.size() - 5), true);
  EXPECT_NE(error_of([&] { read_idx_images(folder.file("short.gz")); }).find("truncated"), std::string::npos);
  testing::write_file(folder.file("header"), bytes.substr(0, 10), false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.file("header")); }).find("truncated"), std::string::npos);
  testing::write_file(folder.file("long"), bytes + "xx", false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.file("long")); }).find("bytes after"), std::string::npos);
  // A header claiming four billion items must fail on the missing data, not on allocating it.
  std::string huge = bytes.substr(0, 16);
  huge[4] = huge[5] = huge[6] = huge[7] = '\xFF';
  testing::write_file(folder.file("huge"), huge, false);
  EXPECT_NE(error_of([&] { read_idx_images(folder.file("huge")); }).find("truncated"), std::string::npos);
}

TEST(IdxFile, LabelsOutOfRangeAreNamed) {
  const TemporaryDirectory folder;
  testing::write_file(folder.file("labels"), testing::idx_labels_bytes({0, 9, 10}), false);
  const std::string message = error_of([&] { read_idx_labels(folder.file("labels"), 10); });
  EXPECT_NE(message.find("label 10 of item 2"), std::string::npos) << message;
}

TEST(IdxFile, LoadsAFashionMnistFolderAndNamesWhatIsMissing) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(4, 2);
  testing::write_fashion_mnist_folder(data, folder.path().string(), true);
  const FashionMnist loaded = load_fashion_mnist(folder.path().string());
  EXPECT_EQ(loaded.train.images.pixels, data.train.images.pixels);
  EXPECT_EQ(loaded.test.labels, data.test.labels);
  EXPECT_NE(loaded.train.images_path.find("train-images-idx3-ubyte.gz"), std::string::npos);

  std::filesystem::remove(folder.file("t10k-labels-idx1-ubyte.gz"));
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path().string()); }).find("no t10k-labels-idx1-ubyte"),
            std::string::npos);
  testing::write_file(folder.file("t10k-labels-idx1-ubyte"), testing::idx_labels_bytes({1, 2, 3}), false);
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.path().string()); }).find("20 images but"), std::string::npos);
  EXPECT_NE(error_of([&] { load_fashion_mnist(folder.file("absent")); }).find("does not exist"), std::string::npos);
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
