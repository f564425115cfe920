// Folder listing for the dataset indexes: readdir with d_type (a stat only for symbolic links and file
// systems that give no type), torchvision ImageFolder's walk order, and a parallel walk over class folders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "io/dataset/dataset_index.h"

namespace genint::io {

// Whether `text` ends with `lower_suffix` in any mix of ASCII case (whatever the process's locale says of other bytes).
bool ends_with_ignoring_case(std::string_view text, std::string_view lower_suffix);
// torchvision's IMG_EXTENSIONS (.jpg .jpeg .png .ppm .bmp .pgm .tif .tiff .webp), compared case-insensitively.
bool has_image_extension(std::string_view name);
// Names starting with '.' (including "." and ".."): never indexed.
bool is_hidden_name(std::string_view name);

// Many short names in one buffer: no allocation per name.
class NameList {
 public:
  void add(std::string_view name);
  std::size_t size() const { return spans_.size(); }
  bool empty() const { return spans_.empty(); }
  std::string_view operator[](std::size_t index) const;
  std::size_t total_bytes() const { return characters_.size(); }
  // Byte-wise order (std::string_view compares as unsigned char), which is Python's order for UTF-8 names.
  void sort();

 private:
  std::string characters_;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> spans_;  // offset, length
};

struct DirectoryListing {
  bool opened = false;
  std::string error;     // strerror when the folder could not be opened
  NameList image_files;  // entries that are not folders and have an image extension (FIFOs, dangling links too)
  NameList folders;      // folders and links to folders, hidden ones excluded
  std::size_t hidden_entries = 0;
  std::size_t other_files = 0;  // files without an image extension
  std::uint64_t device = 0;     // identity of the folder, to notice link loops
  std::uint64_t inode = 0;
};

// Lists one folder. Never throws for file system trouble: `opened` and `error` say what happened.
DirectoryListing list_directory(const std::string& path);

// The images of one class folder in torchvision's order: every folder below it (links followed) sorted by
// its path, and within each the file names sorted. Paths are "class_folder/.../name".
struct ClassFolderContents {
  NameList relative_paths;
  std::vector<IndexFinding> findings;
  std::size_t hidden_entries = 0;
  std::size_t other_files = 0;
};

ClassFolderContents walk_class_folder(const std::string& root, const std::string& class_folder);

// Walks `class_folders` (relative to `root`) on up to `threads` threads and appends their files to `index`,
// class_folders[i]'s files labelled labels[i], in the given order. An empty class folder is reported as a
// finding; its label stays in use.
void index_class_folders(DatasetIndex& index, const std::string& root, const std::vector<std::string>& class_folders,
                         const std::vector<std::int32_t>& labels, int threads);

// All hardware threads when `requested` is 0, at most 16 (more only adds contention on one disk).
int resolve_thread_count(int requested);

}  // namespace genint::io
