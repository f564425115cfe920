// ObjectNet indexes from a small synthetic mappings set with the real files' structure: folder → ObjectNet
// label → "; "-separated ImageNet labels → class indices (one class maps to several), unmapped folders excluded.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/dataset/dataset_index.h"
#include "nn/core/error.h"
#include "tests/io/dataset/dataset_test_tree.h"

namespace genint::io {
namespace {

using testing::DatasetTestTree;

// 1000 ImageNet label lines, "label 0".."label 999", with a few real names at known lines.
std::string imagenet_label_lines() {
  std::string text;
  for (int line = 0; line < 1000; ++line) {
    std::string name = "label " + std::to_string(line);
    if (line == 409) name = "analog clock";
    if (line == 530) name = "digital clock";
    if (line == 892) name = "wall clock";
    if (line == 504) name = "coffee mug";
    text += name + "\n";
  }
  return text;
}

void write_objectnet(const DatasetTestTree& tree) {
  tree.write("on/mappings/objectnet_to_imagenet_1k.json",
             R"({"Alarm clock": "analog clock; digital clock; wall clock", "Mug": "coffee mug"})");
  tree.write("on/mappings/folder_to_objectnet_label.json",
             R"({"alarm_clock": "Alarm clock", "mug": "Mug", "air_freshener": "Air freshener"})");
  tree.write("on/mappings/imagenet_to_label_2012_v2", imagenet_label_lines());
  for (const char* path : {"alarm_clock/b.png", "alarm_clock/a.png", "mug/1.png", "air_freshener/x.png"})
    tree.write(std::string("on/images/") + path, "x");
}

TEST(ObjectNetIndex, MapsFoldersToSetsOfImageNetIndicesAndExcludesUnmappedFolders) {
  DatasetTestTree tree;
  write_objectnet(tree);
  const DatasetIndex index = build_dataset_index(tree.path("on"));
  EXPECT_EQ(index.layout(), DatasetLayout::ObjectNet);
  EXPECT_EQ(index.root(), tree.path("on/images"));
  EXPECT_EQ(index.class_names(), (std::vector<std::string>{"alarm_clock", "mug"}));
  ASSERT_EQ(index.size(), 3U);
  EXPECT_EQ(index.stored_path(0), "alarm_clock/a.png");
  EXPECT_EQ(index.labels(), (std::vector<std::int32_t>{0, 0, 1}));
  ASSERT_TRUE(index.has_target_sets());
  EXPECT_EQ(index.target_set(0), (std::vector<std::int32_t>{409, 530, 892}));
  EXPECT_EQ(index.target_set(1), (std::vector<std::int32_t>{504}));
  EXPECT_THROW(index.target_set(2), Error);
  ASSERT_EQ(index.count_findings(IndexFindingKind::UnmappedObjectNetFolder), 1U);
  EXPECT_EQ(index.count_findings(IndexFindingKind::ImageNetLineOrderAssumed), 1U);
  for (const auto& finding : index.findings()) {
    if (finding.kind == IndexFindingKind::UnmappedObjectNetFolder) {
      EXPECT_EQ(finding.path, "air_freshener");
    }
  }
}

TEST(ObjectNetIndex, UsesThePytorchOrderFileWhereItExists) {
  DatasetTestTree tree;
  write_objectnet(tree);
  // Real ObjectNet lists ImageNet labels in ILSVRC id order; this file maps PyTorch class → line.
  // Here class 0 is on line 504 ("coffee mug") and class 504 on line 0; every other class on its own line.
  std::string order = "{";
  for (int pytorch_class = 0; pytorch_class < 1000; ++pytorch_class) {
    const int line = pytorch_class == 0 ? 504 : pytorch_class == 504 ? 0 : pytorch_class;
    order += (pytorch_class ? ", \"" : "\"") + std::to_string(pytorch_class) + "\": " + std::to_string(line);
  }
  tree.write("on/mappings/pytorch_to_imagenet_2012_id.json", order + "}");
  const DatasetIndex index = build_dataset_index(tree.path("on"));
  EXPECT_EQ(index.target_set(1), (std::vector<std::int32_t>{0}));
  EXPECT_EQ(index.count_findings(IndexFindingKind::ImageNetLineOrderAssumed), 0U);
}

TEST(ObjectNetIndex, NamesTheMappingFileThatIsMalformed) {
  DatasetTestTree tree;
  write_objectnet(tree);
  const std::string to_imagenet = tree.path("on/mappings/objectnet_to_imagenet_1k.json");
  const std::string folders = tree.path("on/mappings/folder_to_objectnet_label.json");
  const std::pair<std::string, std::string> cases[] = {
      {to_imagenet, R"({"Alarm clock": "analog clock; cuckoo clock"})"},  // not an ImageNet label
      {to_imagenet, R"({"Alarm clock": 3})"},
      {to_imagenet, R"({"Alarm clock": )"},
      {folders, R"(["alarm_clock"])"},
      {folders, R"({"alarm_clock": "Alarm clock"})"},  // the folder mug is not listed
  };
  for (const auto& [file, content] : cases) {
    write_objectnet(tree);
    tree.write(file.substr(tree.root().size() + 1), content);
    try {
      build_dataset_index(tree.path("on"));
      ADD_FAILURE() << "accepted " << content;
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find(file), std::string::npos) << error.what();
    }
  }
  write_objectnet(tree);
  tree.write("on/mappings/imagenet_to_label_2012_v2", "analog clock\n\nwall clock\n");
  EXPECT_THROW(build_dataset_index(tree.path("on")), Error);
}

}  // namespace
}  // namespace genint::io
