// A compact in-memory index of a labelled image dataset: every path in one string arena with offsets,
// one int32 label per file, the class names, and what was found odd while indexing (empty classes, ...).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace genint::io {

// How a dataset is laid out on disk. See io/dataset/dataset_layouts.md for each format.
enum class DatasetLayout {
  Auto,               // detected by build_dataset_index(): see detect_dataset_layout()
  ImageFolder,        // torchvision ImageFolder: class folders sorted byte-wise → 0..N-1 (ImageNet train, val)
  ImageNetV2,         // class folders named by class index "0".."999", taken as numbers
  ObjectNet,          // ObjectNet 1.0: images/<folder>/ and mappings/*.json → sets of ImageNet indices
  FileList,           // a text file of "path label" lines
  FlatWithLabelFile,  // one folder of images plus a label file (ImageNet val without class folders)
};

const char* dataset_layout_name(DatasetLayout layout);
// Parses "auto", "imagefolder", "v2", "objectnet", "filelist", "flat"; throws genint::Error otherwise.
DatasetLayout parse_dataset_layout(const std::string& name);

// Something odd met while indexing that did not stop it.
enum class IndexFindingKind {
  EmptyClassFolder,          // a class folder without images: its class index is kept
  MissingClassFolder,        // ImageNet-V2: no folder for a class number below the largest one
  DirectoryNamedLikeImage,   // a folder whose name ends in an image extension (walked like any folder)
  SymlinkLoop,               // a folder reached twice through symbolic links: not walked again
  UnreadableFolder,          // a folder that could not be opened: its contents are missing from the index
  UnmappedObjectNetFolder,   // an ObjectNet folder whose class has no ImageNet mapping: excluded
  AmbiguousImageNetLabel,    // an ImageNet label string on several lines of imagenet_to_label_2012_v2
  ImageNetLineOrderAssumed,  // no pytorch_to_imagenet_2012_id.json: line i taken as class i
  UnlabelledImage,           // flat layout: an image the label file does not name: excluded
};

const char* index_finding_kind_name(IndexFindingKind kind);

struct IndexFinding {
  IndexFindingKind kind;
  std::string path;  // relative to the index root where it names something inside it
  std::string detail;
};

class DatasetIndex {
 public:
  DatasetIndex() = default;
  DatasetIndex(std::string root, DatasetLayout layout);

  const std::string& root() const { return root_; }
  DatasetLayout layout() const { return layout_; }
  std::size_t size() const { return labels_.size(); }

  // The path as stored: relative to root() (absolute for absolute entries of a file list).
  std::string_view stored_path(std::size_t file) const;
  // root()/stored_path, written into `out` so a loop over millions of files reuses one buffer.
  void full_path_into(std::size_t file, std::string& out) const;
  std::string full_path(std::size_t file) const;
  // Index into class_names().
  std::int32_t label(std::size_t file) const { return labels_.at(file); }
  const std::vector<std::int32_t>& labels() const { return labels_; }

  const std::vector<std::string>& class_names() const { return class_names_; }
  std::size_t class_count() const { return class_names_.size(); }
  // ObjectNet: each class stands for a set of ImageNet indices (sorted). Other layouts have none:
  // there the class index is the target itself.
  bool has_target_sets() const { return !target_set_offsets_.empty(); }
  std::vector<std::int32_t> target_set(std::int32_t class_index) const;

  const std::vector<IndexFinding>& findings() const { return findings_; }
  std::size_t count_findings(IndexFindingKind kind) const;
  std::size_t skipped_hidden_entries() const { return skipped_hidden_entries_; }
  std::size_t skipped_other_files() const { return skipped_other_files_; }  // not an image extension
  std::size_t memory_bytes() const;

  // Building (used by the layout readers).
  void reserve(std::size_t files, std::size_t path_bytes);
  void add_file(std::string_view stored_path, std::int32_t label);
  void set_class_names(std::vector<std::string> names) { class_names_ = std::move(names); }
  void add_target_set(const std::vector<std::int32_t>& imagenet_indices);  // in class order
  void add_finding(IndexFindingKind kind, std::string path, std::string detail = {});
  void add_skipped(std::size_t hidden_entries, std::size_t other_files);

 private:
  std::string root_;
  DatasetLayout layout_ = DatasetLayout::Auto;
  std::string path_arena_;                // every stored path back to back, no separators
  std::vector<std::uint64_t> path_ends_;  // path i is [path_ends_[i-1], path_ends_[i])
  std::vector<std::int32_t> labels_;
  std::vector<std::string> class_names_;
  std::vector<std::uint32_t> target_set_offsets_;  // class c's targets: [offsets[c], offsets[c+1])
  std::vector<std::int32_t> target_set_values_;
  std::vector<IndexFinding> findings_;
  std::size_t skipped_hidden_entries_ = 0;
  std::size_t skipped_other_files_ = 0;
};

struct DatasetIndexOptions {
  DatasetLayout layout = DatasetLayout::Auto;
  // FlatWithLabelFile: the label file (required there; giving it makes Auto pick that layout).
  std::string label_file;
  // FlatWithLabelFile with class-name labels (wnids): the class order to use, e.g. a train index's
  // class_names(). Empty: the sorted distinct names of the label file.
  std::vector<std::string> class_names;
  // Threads walking class folders in parallel; 0 = all hardware threads (at most 16).
  int threads = 0;
};

// Picks the layout of `path`: a regular file is a FileList; a folder with mappings/objectnet_to_imagenet_1k.json
// is ObjectNet; with options.label_file it is FlatWithLabelFile; a folder whose (non-hidden) subfolders are
// all decimal numbers is ImageNetV2; a folder with subfolders is ImageFolder. Throws genint::Error for a
// missing path or a folder with no subfolders (naming what to do for a flat folder of images).
DatasetLayout detect_dataset_layout(const std::string& path, const DatasetIndexOptions& options);

// Indexes `path` in the given (or detected) layout. Every malformed input throws genint::Error naming the file.
DatasetIndex build_dataset_index(const std::string& path, const DatasetIndexOptions& options = {});

}  // namespace genint::io
