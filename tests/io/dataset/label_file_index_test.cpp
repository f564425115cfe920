// Indexes described by text files: file lists ("path label") and flat folders with a label file,
// including every parsing error, each of which must name the file and line.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/dataset/dataset_index.h"
#include "nn/core/error.h"
#include "tests/io/dataset/dataset_test_tree.h"

namespace genint::io {
namespace {

using testing::DatasetTestTree;

// Runs `build` and returns the genint::Error's message ("" and a test failure when nothing is thrown).
template <typename Build>
std::string error_of(Build&& build) {
  try {
    build();
  } catch (const Error& error) {
    return error.what();
  }
  ADD_FAILURE() << "no genint::Error thrown";
  return {};
}

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(FileListIndex, ReadsPathsRelativeOrAbsoluteWithCommentsBlanksAndSpaces) {
  DatasetTestTree tree;
  const std::string list = tree.write("lists/train.txt",
                                      "# a comment\n"
                                      "\n"
                                      "images/a.jpg 3\r\n"
                                      "  images/with space.jpg\t0  \n"
                                      "/abs/b.png 12\n");
  const DatasetIndex index = build_dataset_index(list);
  EXPECT_EQ(index.layout(), DatasetLayout::FileList);
  ASSERT_EQ(index.size(), 3U);
  EXPECT_EQ(index.full_path(0), tree.path("lists/images/a.jpg"));
  EXPECT_EQ(index.stored_path(1), "images/with space.jpg");
  EXPECT_EQ(index.full_path(2), "/abs/b.png");
  EXPECT_EQ(index.labels(), (std::vector<std::int32_t>{3, 0, 12}));
  EXPECT_EQ(index.class_count(), 13U);
}

TEST(FileListIndex, NamesTheFileAndLineOfEveryMalformedEntry) {
  DatasetTestTree tree;
  struct Case {
    const char* content;
    const char* expected;
  };
  const Case cases[] = {
      {"a.jpg 1\nb.jpg\n", "line 2"},          // no label
      {"a.jpg one\n", "label 'one'"},          // not a number
      {"a.jpg -1\n", "label '-1'"},            // negative
      {"a.jpg 01\n", "label '01'"},            // leading zero
      {"a.jpg 99999999999\n", "99999999999"},  // past int32
      {"# only a comment\n\n", "no entries"},
  };
  for (const Case& bad : cases) {
    const std::string list = tree.write("bad.txt", bad.content);
    const std::string message = error_of([&] { build_dataset_index(list); });
    EXPECT_TRUE(contains(message, list)) << message;
    EXPECT_TRUE(contains(message, bad.expected)) << message;
  }
  const std::string missing = tree.path("missing.txt");
  DatasetIndexOptions as_list;
  as_list.layout = DatasetLayout::FileList;
  EXPECT_TRUE(contains(error_of([&] { build_dataset_index(missing, as_list); }), missing));
}

TEST(FlatIndex, ReadsNameAndWnidLinesInSortedNameOrder) {
  DatasetTestTree tree;
  for (const char* name : {"v3.JPEG", "v1.JPEG", "v2.JPEG", "extra.JPEG"}) tree.write(std::string("val/") + name, "x");
  DatasetIndexOptions options;
  options.label_file = tree.write("val_labels.txt", "v2.JPEG n02\nv1.JPEG n01\nv3.JPEG n02\n");
  const DatasetIndex index = build_dataset_index(tree.path("val"), options);
  EXPECT_EQ(index.layout(), DatasetLayout::FlatWithLabelFile);
  EXPECT_EQ(index.class_names(), (std::vector<std::string>{"n01", "n02"}));
  ASSERT_EQ(index.size(), 3U);
  EXPECT_EQ(index.stored_path(0), "v1.JPEG");
  EXPECT_EQ(index.labels(), (std::vector<std::int32_t>{0, 1, 1}));
  ASSERT_EQ(index.count_findings(IndexFindingKind::UnlabelledImage), 1U);
  EXPECT_EQ(index.findings()[0].path, "extra.JPEG");

  // With a train index's class order, the wnids map to its indices.
  options.class_names = {"n00", "n01", "n02"};
  EXPECT_EQ(build_dataset_index(tree.path("val"), options).labels(), (std::vector<std::int32_t>{1, 2, 2}));
  options.class_names = {"n01"};
  EXPECT_TRUE(contains(error_of([&] { build_dataset_index(tree.path("val"), options); }), "'n02'"));
}

TEST(FlatIndex, ReadsOneLabelPerLineInSortedNameOrder) {
  DatasetTestTree tree;
  for (const char* name : {"b.jpg", "a.jpg", "c.jpg"}) tree.write(std::string("val/") + name, "x");
  DatasetIndexOptions options;
  options.label_file = tree.write("labels.txt", "7\n0\n# comment\n3\n");
  const DatasetIndex index = build_dataset_index(tree.path("val"), options);
  EXPECT_EQ(index.stored_path(2), "c.jpg");
  EXPECT_EQ(index.labels(), (std::vector<std::int32_t>{7, 0, 3}));
  EXPECT_EQ(index.class_count(), 8U);
}

TEST(FlatIndex, NamesTheLabelFileOfEveryMismatch) {
  DatasetTestTree tree;
  for (const char* name : {"a.jpg", "b.jpg"}) tree.write(std::string("val/") + name, "x");
  DatasetIndexOptions options;
  const std::pair<const char*, const char*> cases[] = {
      {"1\n", "1 labels for 2 images"},
      {"a.jpg 1\n3\n", "line 2"},
      {"1\nb.jpg 3\n", "line 2"},
      {"a.jpg 1\na.jpg 2\n", "labelled twice"},
      {"a.jpg 1\nb.jpg 2\nzz.jpg 3\n", "'zz.jpg' is not an image"},
      {"", "no labels"},
  };
  for (const auto& [content, expected] : cases) {
    options.label_file = tree.write("labels.txt", content);
    const std::string message = error_of([&] { build_dataset_index(tree.path("val"), options); });
    EXPECT_TRUE(contains(message, options.label_file)) << message;
    EXPECT_TRUE(contains(message, expected)) << message;
  }
  options.label_file.clear();
  options.layout = DatasetLayout::FlatWithLabelFile;
  EXPECT_THROW(build_dataset_index(tree.path("val"), options), Error);
}

}  // namespace
}  // namespace genint::io
