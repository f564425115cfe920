// Class-folder layouts: torchvision ImageFolder (folder names sorted byte-wise → 0..N-1) and
// ImageNet-V2 (folder names are class numbers, taken as numbers: "10" is class 10, not the third folder).
#include <algorithm>
#include <utility>

#include "io/dataset/directory_walk.h"
#include "io/dataset/layout_readers.h"
#include "nn/core/error.h"

namespace genint::io {

namespace {

DirectoryListing list_dataset_root(const std::string& root) {
  DirectoryListing listing = list_directory(root);
  GENINT_CHECK(listing.opened, "dataset folder " + root + ": " + listing.error);
  GENINT_CHECK(!listing.folders.empty(), "dataset folder " + root + " has no class folders");
  return listing;
}

}  // namespace

DatasetIndex read_image_folder(const std::string& root, const DatasetIndexOptions& options) {
  const DirectoryListing listing = list_dataset_root(root);
  DatasetIndex index(root, DatasetLayout::ImageFolder);
  std::vector<std::string> class_folders;
  std::vector<std::int32_t> labels;
  for (std::size_t folder = 0; folder < listing.folders.size(); ++folder) {
    class_folders.emplace_back(listing.folders[folder]);
    labels.push_back(static_cast<std::int32_t>(folder));
  }
  index.set_class_names(class_folders);
  // Images lying beside the class folders belong to no class; ImageFolder ignores them too.
  index.add_skipped(listing.hidden_entries, listing.other_files + listing.image_files.size());
  index_class_folders(index, root, class_folders, labels, options.threads);
  return index;
}

DatasetIndex read_imagenet_v2(const std::string& root, const DatasetIndexOptions& options) {
  const DirectoryListing listing = list_dataset_root(root);
  std::vector<std::pair<long, std::string>> numbered;
  for (std::size_t folder = 0; folder < listing.folders.size(); ++folder) {
    const std::string name(listing.folders[folder]);
    const long number = parse_class_number(name);
    GENINT_CHECK(number >= 0, "ImageNet-V2 folder " + root + "/" + name +
                                  " is not a class number (expected 0..999 without leading zeros)");
    numbered.emplace_back(number, name);
  }
  std::sort(numbered.begin(), numbered.end());
  DatasetIndex index(root, DatasetLayout::ImageNetV2);
  index.set_class_names(numbered_class_names(numbered.back().first));
  std::vector<std::string> class_folders;
  std::vector<std::int32_t> labels;
  long expected = 0;
  for (const auto& [number, name] : numbered) {
    for (; expected < number; ++expected)
      index.add_finding(IndexFindingKind::MissingClassFolder, std::to_string(expected), "no folder for this class");
    expected = number + 1;
    class_folders.push_back(name);
    labels.push_back(static_cast<std::int32_t>(number));
  }
  index.add_skipped(listing.hidden_entries, listing.other_files + listing.image_files.size());
  index_class_folders(index, root, class_folders, labels, options.threads);
  return index;
}

}  // namespace genint::io
