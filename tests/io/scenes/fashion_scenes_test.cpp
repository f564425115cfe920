// The generator end to end on a synthetic Fashion-MNIST: ImageNet layout with class folders sorted in label
// order, byte-identical output for a seed whatever the thread count, the corrupted tree, CSVs and manifest.
#include "io/scenes/fashion_scenes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <sstream>

#include "nn/core/error.h"
#include "tests/io/scenes/scenes_test_support.h"

namespace genint::io::scenes {
namespace {

namespace fs = std::filesystem;
using testing::TemporaryDirectory;

FashionScenesOptions small_options(const std::string& output) {
  FashionScenesOptions options;
  options.output_folder = output;
  options.seed = 42;
  options.image_size = 32;
  options.train_per_class = 12;
  options.val_per_class = 3;
  options.test_per_class = 4;
  options.ood_per_class = 4;
  options.corruptions = {Corruption::GaussianNoise, Corruption::MotionBlur, Corruption::JpegCompression};
  options.severities = {1, 5};
  options.threads = 2;
  options.progress = false;
  return options;
}

std::vector<std::string> sorted_entries(const fs::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder)) names.push_back(entry.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// Every file under `root`, relative path → bytes.
std::map<std::string, std::string> read_tree(const fs::path& root) {
  std::map<std::string, std::string> files;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    files[fs::relative(entry.path(), root).string()] = bytes.str();
  }
  return files;
}

std::vector<std::string> csv_lines(const fs::path& path) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

TEST(FashionScenes, WritesImageNetLayoutWithClassFoldersInLabelOrder) {
  const TemporaryDirectory folder;
  const FashionScenesOptions options = small_options(folder.file("out"));
  const nlohmann::ordered_json manifest = generate_fashion_scenes(options, testing::synthetic_fashion_mnist(20, 10));
  const fs::path root(options.output_folder);
  const std::map<std::string, int> per_class = {{"train", 12}, {"val", 3}, {"test", 4}, {"ood", 4}};
  for (const auto& [split, count] : per_class) {
    const std::vector<std::string> classes = sorted_entries(root / split);
    EXPECT_EQ(classes, fashion_mnist_class_folders()) << split;  // sorted order == label order
    for (const std::string& class_folder : classes) {
      const std::vector<std::string> files = sorted_entries(root / split / class_folder);
      ASSERT_EQ(files.size(), static_cast<std::size_t>(count)) << split << "/" << class_folder;
      const cv::Mat image = cv::imread((root / split / class_folder / files[0]).string(), cv::IMREAD_UNCHANGED);
      ASSERT_FALSE(image.empty()) << files[0] << " does not decode";
      EXPECT_EQ(image.rows, 32);
      EXPECT_EQ(image.cols, 32);
      EXPECT_EQ(image.channels(), 3);
    }
    const std::vector<std::string> lines = csv_lines(root / (split + ".csv"));
    ASSERT_EQ(lines.size(), 10u * static_cast<std::size_t>(count) + 1) << split << ".csv";
    EXPECT_EQ(lines[0].rfind("file,label,class,source_index,hue,texture,", 0), 0u) << lines[0];
    // The first row is an existing file of class 0.
    const std::string first_file = lines[1].substr(0, lines[1].find(','));
    EXPECT_TRUE(fs::is_regular_file(root / first_file)) << first_file;
    EXPECT_NE(lines[1].find(",0,0_tshirt,"), std::string::npos) << lines[1];
    EXPECT_EQ(manifest["splits"][split]["count"], 10 * count);
  }
}

TEST(FashionScenes, CorruptedTreeCopiesTheTestSplitPerCorruptionAndSeverity) {
  const TemporaryDirectory folder;
  const FashionScenesOptions options = small_options(folder.file("out"));
  const nlohmann::ordered_json manifest = generate_fashion_scenes(options, testing::synthetic_fashion_mnist(20, 10));
  const fs::path corrupted = fs::path(options.output_folder) / "corrupted";
  EXPECT_EQ(sorted_entries(corrupted), (std::vector<std::string>{"gaussian_noise", "jpeg_compression", "motion_blur"}));
  for (const std::string& corruption : sorted_entries(corrupted)) {
    EXPECT_EQ(sorted_entries(corrupted / corruption), (std::vector<std::string>{"1", "5"}));
    for (const std::string severity : {"1", "5"}) {
      EXPECT_EQ(sorted_entries(corrupted / corruption / severity), fashion_mnist_class_folders());
      // Same file names as the clean test split, as ImageNet-C keeps ImageNet's.
      EXPECT_EQ(sorted_entries(corrupted / corruption / severity / "3_dress"),
                sorted_entries(fs::path(options.output_folder) / "test" / "3_dress"));
    }
  }
  const std::vector<std::string> lines = csv_lines(fs::path(options.output_folder) / "corrupted.csv");
  ASSERT_EQ(lines.size(), 3u * 2u * 40u + 1u);
  EXPECT_NE(lines[0].find(",corruption,severity"), std::string::npos);
  EXPECT_NE(lines.back().find(",jpeg_compression,5"), std::string::npos) << lines.back();
  EXPECT_EQ(manifest["corrupted"]["count"], 240);
  // A severity-5 noisy image differs from its clean original.
  const cv::Mat clean = cv::imread(options.output_folder + "/test/0_tshirt/test_00000.JPEG");
  const cv::Mat noisy = cv::imread(options.output_folder + "/corrupted/gaussian_noise/5/0_tshirt/test_00000.JPEG");
  EXPECT_GT(cv::norm(clean, noisy, cv::NORM_L1) / clean.total(), 10.0);
}

TEST(FashionScenes, SameSeedGivesIdenticalBytesWhateverTheThreadCount) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(20, 10);
  FashionScenesOptions options = small_options(folder.file("one"));
  options.threads = 1;
  generate_fashion_scenes(options, data);
  options.output_folder = folder.file("two");
  options.threads = 2;
  generate_fashion_scenes(options, data);
  const auto one = read_tree(folder.file("one")), two = read_tree(folder.file("two"));
  ASSERT_GT(one.size(), 400u);
  EXPECT_TRUE(one == two) << "outputs differ between 1 and 2 threads";
  options.output_folder = folder.file("other-seed");
  options.seed = 43;
  generate_fashion_scenes(options, data);
  const auto other = read_tree(folder.file("other-seed"));
  EXPECT_NE(other.at("train/0_tshirt/train_00000.JPEG"), one.at("train/0_tshirt/train_00000.JPEG"));
  EXPECT_NE(other.at("train.csv"), one.at("train.csv"));
}

TEST(FashionScenes, ManifestRecordsParametersCountsAndConfound) {
  const TemporaryDirectory folder;
  FashionScenesOptions options = small_options(folder.file("out"));
  options.train_per_class = 100;  // enough samples for the measured confound to mean something
  options.ood_per_class = 40;
  options.corruptions.clear();
  generate_fashion_scenes(options, testing::synthetic_fashion_mnist(110, 50));
  std::ifstream in(folder.file("out/manifest.json"));
  const nlohmann::json manifest = nlohmann::json::parse(in);
  EXPECT_EQ(manifest["seed"], 42);
  EXPECT_EQ(manifest["image_size"], 32);
  EXPECT_EQ(manifest["jpeg_quality"], 90);
  EXPECT_EQ(manifest["classes"].size(), 10u);
  EXPECT_EQ(manifest["classes"][3]["folder"], "3_dress");
  EXPECT_DOUBLE_EQ(manifest["classes"][3]["hue_mean"].get<double>(), 108.0);
  EXPECT_DOUBLE_EQ(manifest["nuisance_laws"]["confounded"]["rho"].get<double>(), 0.9);
  EXPECT_EQ(manifest["splits"]["train"]["law"], "confounded");
  EXPECT_EQ(manifest["splits"]["ood"]["law"], "class_independent");
  EXPECT_EQ(manifest["splits"]["ood"]["source"], "t10k");
  EXPECT_EQ(manifest["corrupted"]["count"], 0);
  EXPECT_FALSE(fs::exists(folder.file("out/corrupted")));
  const auto& measured = manifest["confound"]["measured"];
  // 1000 training images: the default law's population value is 0.74; OOD's is chance (0.1). Two-fold
  // estimates on 1000 and 400 images are within ~0.1 of those, far from each other.
  EXPECT_GT(measured["train"]["hue_and_angle"].get<double>(), 0.5);
  EXPECT_LT(measured["ood"]["hue_and_angle"].get<double>(), 0.25);
  EXPECT_GT(manifest["confound"]["population"]["confounded"]["hue_and_angle"].get<double>(), 0.7);
}

TEST(FashionScenes, RefusesANonEmptyFolderUnlessForced) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(20, 10);
  FashionScenesOptions options = small_options(folder.file("out"));
  options.corruptions.clear();
  fs::create_directories(options.output_folder);
  testing::write_file(folder.file("out/notes.txt"), "keep me", false);
  try {
    generate_fashion_scenes(options, data);
    ADD_FAILURE() << "wrote into a non-empty folder";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("--force"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(folder.file("out/train")));
  options.force = true;
  generate_fashion_scenes(options, data);
  testing::write_file(folder.file("out/train/0_tshirt/stale.JPEG"), "old run", false);
  generate_fashion_scenes(options, data);
  EXPECT_FALSE(fs::exists(folder.file("out/train/0_tshirt/stale.JPEG"))) << "--force left an earlier run's file";
  EXPECT_TRUE(fs::exists(folder.file("out/notes.txt"))) << "--force removed a file it did not write";
}

TEST(FashionScenes, TooFewSourceItemsIsAnError) {
  const TemporaryDirectory folder;
  FashionScenesOptions options = small_options(folder.file("out"));
  options.test_per_class = 8;
  options.ood_per_class = 8;  // 16 per class from t10k, which has 10
  try {
    generate_fashion_scenes(options, testing::synthetic_fashion_mnist(20, 10));
    ADD_FAILURE() << "asked for more items than exist";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("has 10 items"), std::string::npos) << error.what();
  }
  EXPECT_FALSE(fs::exists(folder.file("out"))) << "nothing is written before the request is known to fit";
}

}  // namespace
}  // namespace genint::io::scenes
