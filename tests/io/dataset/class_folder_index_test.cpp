// Class-folder indexes: torchvision ImageFolder's class and file order, extensions, hidden entries,
// empty classes, odd entries (folders named like images, link loops), ImageNet-V2's numeric order, detection.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/dataset/dataset_index.h"
#include "nn/core/error.h"
#include "tests/io/dataset/dataset_test_tree.h"

namespace genint::io {
namespace {

using testing::DatasetTestTree;

std::vector<std::string> stored_paths(const DatasetIndex& index) {
  std::vector<std::string> paths;
  for (std::size_t file = 0; file < index.size(); ++file) paths.emplace_back(index.stored_path(file));
  return paths;
}

DatasetIndexOptions with_layout(DatasetLayout layout) {
  DatasetIndexOptions options;
  options.layout = layout;
  return options;
}

TEST(ImageFolderIndex, SortsClassFoldersByteWiseLikeTorchvision) {
  DatasetTestTree tree;
  // Python's sorted(): upper case before lower case, '_' between them, "n01" before "n1".
  for (const char* name : {"a", "B", "n1", "n01", "_x", "Z9"}) tree.write(std::string(name) + "/img.jpg", "x");
  const DatasetIndex index = build_dataset_index(tree.root());
  EXPECT_EQ(index.layout(), DatasetLayout::ImageFolder);
  const std::vector<std::string> expected{"B", "Z9", "_x", "a", "n01", "n1"};
  EXPECT_EQ(index.class_names(), expected);
  ASSERT_EQ(index.size(), 6U);
  for (std::size_t file = 0; file < index.size(); ++file) {
    EXPECT_EQ(index.label(file), static_cast<std::int32_t>(file));
    EXPECT_EQ(index.stored_path(file), expected[file] + "/img.jpg");
  }
  EXPECT_FALSE(index.has_target_sets());
}

TEST(ImageFolderIndex, KeepsImageExtensionsCaseInsensitivelyAndSkipsHiddenAndOtherFiles) {
  DatasetTestTree tree;
  for (const char* name : {"b.JPEG", "a.jpg", "C.png", "x.txt", "y.WebP", ".hidden.jpg", "z.tif", "w.TIFF", "q.jpe",
                           "p.PPM", "m.bmp", "g.pgm"})
    tree.write(std::string("cls/") + name, "x");
  tree.write(".ipynb_checkpoints/a.jpg", "x");  // a hidden folder is no class (torchvision would make it one)
  const DatasetIndex index = build_dataset_index(tree.root());
  EXPECT_EQ(index.class_names(), std::vector<std::string>{"cls"});
  const std::vector<std::string> expected{"cls/C.png", "cls/a.jpg",  "cls/b.JPEG", "cls/g.pgm", "cls/m.bmp",
                                          "cls/p.PPM", "cls/w.TIFF", "cls/y.WebP", "cls/z.tif"};
  EXPECT_EQ(stored_paths(index), expected);
  EXPECT_EQ(index.skipped_other_files(), 2U);     // x.txt, q.jpe
  EXPECT_EQ(index.skipped_hidden_entries(), 2U);  // .hidden.jpg, .ipynb_checkpoints
}

TEST(ImageFolderIndex, WalksNestedFoldersInSortedRootOrderNotDepthFirst) {
  DatasetTestTree tree;
  // os.walk's tuples sorted by root: "c/a" < "c/a-b" < "c/a/z" because '-' (0x2D) < '/' (0x2F).
  tree.write("c/top.jpg", "x");
  tree.write("c/a/2.jpg", "x");
  tree.write("c/a/1.jpg", "x");
  tree.write("c/a/z/3.jpg", "x");
  tree.write("c/a-b/4.jpg", "x");
  const DatasetIndex index = build_dataset_index(tree.root());
  const std::vector<std::string> expected{"c/top.jpg", "c/a/1.jpg", "c/a/2.jpg", "c/a-b/4.jpg", "c/a/z/3.jpg"};
  EXPECT_EQ(stored_paths(index), expected);
}

TEST(ImageFolderIndex, KeepsTheIndexOfAnEmptyClassFolderAndReportsIt) {
  DatasetTestTree tree;
  tree.write("a/1.jpg", "x");
  tree.folder("b");
  tree.write("c/notes.txt", "x");
  tree.write("d/1.jpg", "x");
  const DatasetIndex index = build_dataset_index(tree.root());
  ASSERT_EQ(index.class_count(), 4U);
  ASSERT_EQ(index.size(), 2U);
  EXPECT_EQ(index.label(1), 3);  // d stays class 3, as in a tree where b and c hold images
  ASSERT_EQ(index.count_findings(IndexFindingKind::EmptyClassFolder), 2U);
  EXPECT_EQ(index.findings()[0].path, "b");
  EXPECT_EQ(index.findings()[1].path, "c");
}

TEST(ImageFolderIndex, ReportsAFolderNamedLikeAnImageAndAFollowedLinkLoop) {
  DatasetTestTree tree;
  tree.write("a/real.JPEG", "x");
  tree.folder("a/foo.JPEG");
  tree.symlink("..", "a/sub/loop");  // a/sub/loop → a: walking it again would never end
  tree.symlink("../a/real.JPEG", "b/linked.JPEG");
  tree.symlink("/nonexistent/x.jpg", "b/dangling.jpg");
  const DatasetIndex index = build_dataset_index(tree.root());
  EXPECT_EQ(stored_paths(index), (std::vector<std::string>{"a/real.JPEG", "b/dangling.jpg", "b/linked.JPEG"}));
  ASSERT_EQ(index.count_findings(IndexFindingKind::DirectoryNamedLikeImage), 1U);
  ASSERT_EQ(index.count_findings(IndexFindingKind::SymlinkLoop), 1U);
  for (const auto& finding : index.findings()) {
    if (finding.kind == IndexFindingKind::DirectoryNamedLikeImage) {
      EXPECT_EQ(finding.path, "a/foo.JPEG");
    }
    if (finding.kind == IndexFindingKind::SymlinkLoop) {
      EXPECT_EQ(finding.path, "a/sub/loop");
    }
  }
}

TEST(ImageFolderIndex, GivesTheSameIndexOnOneThreadAndOnMany) {
  DatasetTestTree tree;
  for (int folder = 0; folder < 40; ++folder) {
    tree.folder("class" + std::to_string(folder));
    for (int file = 0; file < folder % 5; ++file)
      tree.write("class" + std::to_string(folder) + "/" + std::to_string(file) + ".jpg", "x");
  }
  DatasetIndexOptions one_thread, many_threads;
  one_thread.threads = 1;
  many_threads.threads = 7;
  const DatasetIndex serial = build_dataset_index(tree.root(), one_thread);
  const DatasetIndex parallel = build_dataset_index(tree.root(), many_threads);
  EXPECT_EQ(serial.size(), 80U);
  EXPECT_EQ(stored_paths(serial), stored_paths(parallel));
  EXPECT_EQ(serial.labels(), parallel.labels());
  EXPECT_EQ(serial.count_findings(IndexFindingKind::EmptyClassFolder), 8U);
}

TEST(ImageFolderIndex, FullPathsJoinTheRootAndReuseTheBuffer) {
  DatasetTestTree tree;
  tree.write("k/1.png", "x");
  const DatasetIndex index = build_dataset_index(tree.root() + "/");
  std::string buffer = "old contents";
  index.full_path_into(0, buffer);
  EXPECT_EQ(buffer, tree.root() + "/k/1.png");
  EXPECT_THROW(index.stored_path(1), Error);
  EXPECT_GT(index.memory_bytes(), 0U);
}

TEST(ImageNetV2Index, OrdersClassFoldersByNumberNotByName) {
  DatasetTestTree tree;
  for (const char* name : {"0", "1", "2", "10"}) tree.write(std::string(name) + "/a.jpeg", "x");
  const DatasetIndex index = build_dataset_index(tree.root());
  EXPECT_EQ(index.layout(), DatasetLayout::ImageNetV2);
  EXPECT_EQ(stored_paths(index), (std::vector<std::string>{"0/a.jpeg", "1/a.jpeg", "2/a.jpeg", "10/a.jpeg"}));
  EXPECT_EQ(index.labels(), (std::vector<std::int32_t>{0, 1, 2, 10}));
  EXPECT_EQ(index.class_count(), 11U);
  EXPECT_EQ(index.class_names()[10], "10");
  EXPECT_EQ(index.count_findings(IndexFindingKind::MissingClassFolder), 7U);  // 3..9

  // The same tree read as an ImageFolder sorts names: "10" becomes class 2 (the mislabelling V2 avoids).
  const DatasetIndex as_folder = build_dataset_index(tree.root(), with_layout(DatasetLayout::ImageFolder));
  EXPECT_EQ(as_folder.labels(), (std::vector<std::int32_t>{0, 1, 2, 3}));
  EXPECT_EQ(as_folder.stored_path(2), "10/a.jpeg");
}

TEST(ImageNetV2Index, RejectsFoldersThatAreNotClassNumbers) {
  DatasetTestTree tree;
  tree.write("0/a.jpg", "x");
  tree.write("010/a.jpg", "x");
  try {
    build_dataset_index(tree.root(), with_layout(DatasetLayout::ImageNetV2));
    FAIL() << "a leading zero must be refused: 010 and 10 would be the same class";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(tree.root() + "/010"), std::string::npos) << error.what();
  }
  // Auto-detection sees a non-number folder and falls back to ImageFolder.
  EXPECT_EQ(build_dataset_index(tree.root()).layout(), DatasetLayout::ImageFolder);
}

TEST(DatasetLayoutDetection, NamesWhatIsWrongWithUnusableTrees) {
  DatasetTestTree tree;
  try {
    build_dataset_index(tree.path("missing"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(tree.path("missing")), std::string::npos) << error.what();
  }
  tree.folder("empty");
  EXPECT_THROW(build_dataset_index(tree.path("empty")), Error);
  tree.write("flat/a.JPEG", "x");
  try {
    build_dataset_index(tree.path("flat"));
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("label file"), std::string::npos) << error.what();
  }
  EXPECT_THROW(build_dataset_index(tree.path("flat"), with_layout(DatasetLayout::ImageFolder)), Error);
  EXPECT_THROW(parse_dataset_layout("folders"), Error);
  EXPECT_EQ(parse_dataset_layout("v2"), DatasetLayout::ImageNetV2);
  EXPECT_EQ(parse_dataset_layout(dataset_layout_name(DatasetLayout::FlatWithLabelFile)),
            DatasetLayout::FlatWithLabelFile);
}

}  // namespace
}  // namespace genint::io
