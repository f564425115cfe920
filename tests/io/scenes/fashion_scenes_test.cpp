// The generator end to end on a synthetic Fashion-MNIST: ImageNet layout with class folders sorted in label
// order, byte-identical output for a seed whatever the thread count, the corrupted tree, CSVs and manifest, the OOD
// validation split (its own items, law and seed stream) and the oracle's --rho 0 (same items, unconfounded).
#include "io/scenes/fashion_scenes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <set>
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
  options.ood_val_per_class = 4;
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

// One column of a fashion-scenes CSV (header left out): 0 file, 1 label, 3 source_index, 4 hue, 9 angle.
std::vector<std::string> csv_column(const fs::path& path, std::size_t column) {
  std::vector<std::string> values;
  const std::vector<std::string> lines = csv_lines(path);
  for (std::size_t row = 1; row < lines.size(); ++row) {
    std::istringstream fields(lines[row]);
    std::string field;
    for (std::size_t index = 0; index <= column; ++index) std::getline(fields, field, ',');
    values.push_back(field);
  }
  return values;
}

// The files of one split (its folder and its CSV) out of a read_tree() map.
std::map<std::string, std::string> split_files(const std::map<std::string, std::string>& tree,
                                               const std::string& split) {
  std::map<std::string, std::string> files;
  for (const auto& [path, bytes] : tree)
    if (path.rfind(split + "/", 0) == 0 || path == split + ".csv") files[path] = bytes;
  return files;
}

TEST(FashionScenes, WritesImageNetLayoutWithClassFoldersInLabelOrder) {
  const TemporaryDirectory folder;
  const FashionScenesOptions options = small_options(folder.file("out"));
  const nlohmann::ordered_json manifest = generate_fashion_scenes(options, testing::synthetic_fashion_mnist(20, 10));
  const fs::path root(options.output_folder);
  const std::map<std::string, int> per_class = {{"train", 12}, {"val", 3}, {"test", 4}, {"ood", 4}, {"ood_val", 4}};
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
  EXPECT_EQ(one.count("ood_val/9_ankle_boot/ood_val_00003.JPEG"), 1u);
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
  EXPECT_EQ(manifest["splits"]["ood_val"]["law"], "class_independent");
  EXPECT_EQ(manifest["splits"]["ood_val"]["source"], "train");
  EXPECT_EQ(manifest["splits"]["ood_val"]["count"], 40);
  EXPECT_NE(manifest["splits"]["ood_val"]["use"].get<std::string>().find("benchmark design only"), std::string::npos);
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

TEST(FashionScenes, OodValTakesItemsNoOtherSplitUsesAndChangesNoOtherSplit) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(20, 10);
  FashionScenesOptions options = small_options(folder.file("without"));
  options.ood_val_per_class = 0;
  generate_fashion_scenes(options, data);
  options.output_folder = folder.file("with");
  options.ood_val_per_class = 5;  // 12 train + 3 val + 5 ood_val: all 20 items of each class, none twice
  generate_fashion_scenes(options, data);
  EXPECT_FALSE(fs::exists(folder.file("without/ood_val")));
  const auto without = read_tree(folder.file("without")), with = read_tree(folder.file("with"));
  for (const std::string split : {"train", "val", "test", "ood", "corrupted"})
    EXPECT_TRUE(split_files(without, split) == split_files(with, split)) << split << " changed when ood_val came";
  std::set<std::string> used;  // Fashion-MNIST train-file indices of train and val
  for (const std::string split : {"train", "val"})
    for (const std::string& item : csv_column(folder.file("with/" + split + ".csv"), 3)) used.insert(item);
  EXPECT_EQ(used.size(), 150u);
  const std::vector<std::string> ood_val_items = csv_column(folder.file("with/ood_val.csv"), 3);
  ASSERT_EQ(ood_val_items.size(), 50u);
  EXPECT_EQ(std::set<std::string>(ood_val_items.begin(), ood_val_items.end()).size(), 50u);
  for (const std::string& item : ood_val_items) EXPECT_EQ(used.count(item), 0u) << "item " << item << " used twice";
}

TEST(FashionScenes, OodValFollowsTheClassIndependentLawOnItsOwnSeedStream) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(110, 50);
  FashionScenesOptions options = small_options(folder.file("one"));
  options.train_per_class = 40;
  options.val_per_class = 0;
  options.ood_val_per_class = 60;
  options.ood_per_class = 40;
  options.corruptions.clear();
  const nlohmann::ordered_json manifest = generate_fashion_scenes(options, data);
  // 600 images: the class-independent law's population value is chance (0.1); the two-fold estimate of the
  // majority-per-cell rule stays within ~0.1 of it (the confounded law's is 0.74).
  EXPECT_LT(manifest["confound"]["measured"]["ood_val"]["hue_and_angle"].get<double>(), 0.25);
  EXPECT_EQ(manifest["splits"]["ood_val"]["law"], "class_independent");
  // Its own seed stream: other t10k splits' sizes leave it alone, and its nuisances are not ood's.
  options.output_folder = folder.file("two");
  options.ood_per_class = 20;
  options.test_per_class = 8;
  generate_fashion_scenes(options, data);
  EXPECT_TRUE(split_files(read_tree(folder.file("one")), "ood_val") ==
              split_files(read_tree(folder.file("two")), "ood_val"));
  EXPECT_NE(csv_column(folder.file("one/ood_val.csv"), 4), csv_column(folder.file("one/ood.csv"), 4));
}

TEST(FashionScenes, OracleRhoZeroKeepsTheItemsAndTheOodSplits) {
  const TemporaryDirectory folder;
  const FashionMnist data = testing::synthetic_fashion_mnist(110, 50);
  FashionScenesOptions options = small_options(folder.file("confounded"));
  options.train_per_class = 100;  // enough for the measured confound to mean something
  options.corruptions.clear();
  const nlohmann::ordered_json confounded = generate_fashion_scenes(options, data);
  options.output_folder = folder.file("oracle");
  options.nuisances.rho = 0.0;
  const nlohmann::ordered_json oracle = generate_fashion_scenes(options, data);
  for (const std::string split : {"train", "val", "test"}) {
    const fs::path left = folder.file("confounded/" + split + ".csv"), right = folder.file("oracle/" + split + ".csv");
    EXPECT_EQ(csv_column(left, 0), csv_column(right, 0)) << split << ": file names";
    EXPECT_EQ(csv_column(left, 3), csv_column(right, 3)) << split << ": the same Fashion-MNIST items";
    EXPECT_NE(csv_column(left, 4), csv_column(right, 4)) << split << ": other hues";
  }
  const auto left = read_tree(folder.file("confounded")), right = read_tree(folder.file("oracle"));
  for (const std::string split : {"ood", "ood_val"})  // the class-independent law does not read rho
    EXPECT_TRUE(split_files(left, split) == split_files(right, split)) << split;
  // 1000 training images each: the confounded law's population value is 0.74, the oracle's chance (0.1).
  EXPECT_GT(confounded["confound"]["measured"]["train"]["hue_and_angle"].get<double>(), 0.5);
  EXPECT_LT(oracle["confound"]["measured"]["train"]["hue_and_angle"].get<double>(), 0.25);
}

}  // namespace
}  // namespace genint::io::scenes
