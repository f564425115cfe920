// The dataset index's storage (path arena, labels, target sets, findings), layout names,
// layout detection and the entry point that hands a path to the right layout reader.
#include "io/dataset/dataset_index.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "io/dataset/directory_walk.h"
#include "io/dataset/layout_readers.h"
#include "nn/core/error.h"

namespace genint::io {

namespace {

const char* const layout_names[] = {"auto", "imagefolder", "v2", "objectnet", "filelist", "flat"};
static_assert(std::size(layout_names) == static_cast<std::size_t>(DatasetLayout::FlatWithLabelFile) + 1, "");

}  // namespace

const char* dataset_layout_name(DatasetLayout layout) {
  const auto index = static_cast<std::size_t>(layout);
  return index < std::size(layout_names) ? layout_names[index] : "unknown";
}

DatasetLayout parse_dataset_layout(const std::string& name) {
  for (std::size_t index = 0; index < std::size(layout_names); ++index)
    if (name == layout_names[index]) return static_cast<DatasetLayout>(index);
  throw Error("unknown dataset layout '" + name + "' (expected auto, imagefolder, v2, objectnet, filelist or flat)");
}

const char* index_finding_kind_name(IndexFindingKind kind) {
  static const char* const names[] = {
      "empty_class_folder", "missing_class_folder",      "directory_named_like_image", "symlink_loop",
      "unreadable_folder",  "unmapped_objectnet_folder", "ambiguous_imagenet_label",   "imagenet_line_order_assumed",
      "unlabelled_image"};
  static_assert(std::size(names) == static_cast<std::size_t>(IndexFindingKind::UnlabelledImage) + 1, "");
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(names) ? names[index] : "unknown";
}

DatasetIndex::DatasetIndex(std::string root, DatasetLayout layout) : root_(std::move(root)), layout_(layout) {}

std::string_view DatasetIndex::stored_path(std::size_t file) const {
  GENINT_CHECK(file < path_ends_.size(),
               "file " + std::to_string(file) + " is past the index's " + std::to_string(path_ends_.size()) + " files");
  const std::uint64_t begin = file == 0 ? 0 : path_ends_[file - 1];
  return std::string_view(path_arena_).substr(begin, path_ends_[file] - begin);
}

void DatasetIndex::full_path_into(std::size_t file, std::string& out) const {
  const std::string_view stored = stored_path(file);
  out.clear();
  if (stored.empty() || stored.front() != '/') out.append(root_).append(1, '/');
  out.append(stored);
}

std::string DatasetIndex::full_path(std::size_t file) const {
  std::string path;
  full_path_into(file, path);
  return path;
}

std::vector<std::int32_t> DatasetIndex::target_set(std::int32_t class_index) const {
  GENINT_CHECK(has_target_sets(), std::string("a ") + dataset_layout_name(layout_) + " index has no target sets");
  GENINT_CHECK(class_index >= 0 && static_cast<std::size_t>(class_index) + 1 < target_set_offsets_.size(),
               "class " + std::to_string(class_index) + " has no target set");
  const auto begin = target_set_values_.begin() + target_set_offsets_[static_cast<std::size_t>(class_index)];
  const auto end = target_set_values_.begin() + target_set_offsets_[static_cast<std::size_t>(class_index) + 1];
  return std::vector<std::int32_t>(begin, end);
}

std::size_t DatasetIndex::count_findings(IndexFindingKind kind) const {
  return static_cast<std::size_t>(std::count_if(findings_.begin(), findings_.end(),
                                                [kind](const IndexFinding& finding) { return finding.kind == kind; }));
}

std::size_t DatasetIndex::memory_bytes() const {
  std::size_t bytes = path_arena_.capacity() + path_ends_.capacity() * sizeof(std::uint64_t) +
                      labels_.capacity() * sizeof(std::int32_t) +
                      target_set_offsets_.capacity() * sizeof(std::uint32_t) +
                      target_set_values_.capacity() * sizeof(std::int32_t);
  for (const auto& name : class_names_) bytes += sizeof(std::string) + name.capacity();
  return bytes;
}

void DatasetIndex::reserve(std::size_t files, std::size_t path_bytes) {
  path_arena_.reserve(path_bytes);
  path_ends_.reserve(files);
  labels_.reserve(files);
}

void DatasetIndex::add_file(std::string_view stored, std::int32_t label) {
  path_arena_.append(stored);
  path_ends_.push_back(path_arena_.size());
  labels_.push_back(label);
}

void DatasetIndex::add_target_set(const std::vector<std::int32_t>& imagenet_indices) {
  if (target_set_offsets_.empty()) target_set_offsets_.push_back(0);
  target_set_values_.insert(target_set_values_.end(), imagenet_indices.begin(), imagenet_indices.end());
  target_set_offsets_.push_back(static_cast<std::uint32_t>(target_set_values_.size()));
}

void DatasetIndex::add_finding(IndexFindingKind kind, std::string path, std::string detail) {
  findings_.push_back({kind, std::move(path), std::move(detail)});
}

void DatasetIndex::add_skipped(std::size_t hidden_entries, std::size_t other_files) {
  skipped_hidden_entries_ += hidden_entries;
  skipped_other_files_ += other_files;
}

long parse_class_number(std::string_view text) {
  if (text.empty() || text.size() > 10 || (text.size() > 1 && text.front() == '0')) return -1;
  long value = 0;
  for (const char digit : text) {
    if (digit < '0' || digit > '9') return -1;
    value = value * 10 + (digit - '0');
  }
  return value <= 0x7fffffffL ? value : -1;
}

std::vector<std::string> numbered_class_names(long largest) {
  std::vector<std::string> names;
  for (long label = 0; label <= largest; ++label) names.push_back(std::to_string(label));
  return names;
}

DatasetLayout detect_dataset_layout(const std::string& path, const DatasetIndexOptions& options) {
  struct stat status {};
  GENINT_CHECK(::stat(path.c_str(), &status) == 0, "dataset path " + path + ": " + std::strerror(errno));
  if (S_ISREG(status.st_mode)) return DatasetLayout::FileList;
  GENINT_CHECK(S_ISDIR(status.st_mode), "dataset path " + path + " is neither a folder nor a file list");
  std::error_code no_mapping;  // an unreadable mappings folder is simply not ObjectNet's
  if (std::filesystem::is_regular_file(path + "/mappings/objectnet_to_imagenet_1k.json", no_mapping))
    return DatasetLayout::ObjectNet;
  if (!options.label_file.empty()) return DatasetLayout::FlatWithLabelFile;
  const DirectoryListing listing = list_directory(path);
  GENINT_CHECK(listing.opened, "dataset folder " + path + ": " + listing.error);
  if (listing.folders.empty()) {
    GENINT_CHECK(listing.image_files.empty(), "dataset folder " + path + " holds " +
                                                  std::to_string(listing.image_files.size()) +
                                                  " images but no class folders: a flat folder needs a label file "
                                                  "(layout flat with a label file)");
    throw Error("dataset folder " + path + " has no class folders");
  }
  for (std::size_t index = 0; index < listing.folders.size(); ++index)
    if (parse_class_number(listing.folders[index]) < 0) return DatasetLayout::ImageFolder;
  return DatasetLayout::ImageNetV2;
}

DatasetIndex build_dataset_index(const std::string& path, const DatasetIndexOptions& options) {
  GENINT_CHECK(!path.empty(), "empty dataset path");
  std::string trimmed = path;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  const DatasetLayout layout =
      options.layout == DatasetLayout::Auto ? detect_dataset_layout(trimmed, options) : options.layout;
  switch (layout) {
    case DatasetLayout::ImageFolder: return read_image_folder(trimmed, options);
    case DatasetLayout::ImageNetV2: return read_imagenet_v2(trimmed, options);
    case DatasetLayout::ObjectNet: return read_objectnet(trimmed, options);
    case DatasetLayout::FileList: return read_file_list(trimmed, options);
    case DatasetLayout::FlatWithLabelFile: return read_flat_with_label_file(trimmed, options);
    case DatasetLayout::Auto: break;
  }
  throw Error("no reader for dataset layout " + std::string(dataset_layout_name(layout)));
}

}  // namespace genint::io
