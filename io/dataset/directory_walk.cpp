// readdir-based folder listing and torchvision-ordered class folder walks, run in parallel over classes.
// d_type spares a stat per file; only symbolic links (and file systems without d_type) are stat'ed.
#include "io/dataset/directory_walk.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <limits>
#include <memory>
#include <set>
#include <thread>

#include "nn/core/error.h"

namespace genint::io {

bool ends_with_ignoring_case(std::string_view text, std::string_view lower_suffix) {
  const auto same = [](char wanted, char letter) {
    return wanted == (letter >= 'A' && letter <= 'Z' ? static_cast<char>(letter - 'A' + 'a') : letter);
  };
  return text.size() >= lower_suffix.size() &&
         std::equal(lower_suffix.begin(), lower_suffix.end(), text.end() - lower_suffix.size(), same);
}

bool has_image_extension(std::string_view name) {
  static constexpr std::string_view extensions[] = {".jpg", ".jpeg", ".png",  ".ppm", ".bmp",
                                                    ".pgm", ".tif",  ".tiff", ".webp"};
  return std::any_of(std::begin(extensions), std::end(extensions),
                     [name](std::string_view extension) { return ends_with_ignoring_case(name, extension); });
}

bool is_hidden_name(std::string_view name) {
  return !name.empty() && name.front() == '.';
}

void NameList::add(std::string_view name) {
  GENINT_CHECK(characters_.size() + name.size() <= std::numeric_limits<std::uint32_t>::max(),
               "more than 4 GiB of names in one folder listing");
  spans_.emplace_back(static_cast<std::uint32_t>(characters_.size()), static_cast<std::uint32_t>(name.size()));
  characters_.append(name);
}

std::string_view NameList::operator[](std::size_t index) const {
  const auto& span = spans_[index];
  return std::string_view(characters_).substr(span.first, span.second);
}

void NameList::sort() {
  const std::string_view all(characters_);
  std::sort(spans_.begin(), spans_.end(), [all](const auto& left, const auto& right) {
    return all.substr(left.first, left.second) < all.substr(right.first, right.second);
  });
}

namespace {

// True when the entry is a folder; links and untyped entries are resolved with one stat (a dangling
// link is not a folder: like os.walk, it is listed as a file and its reader reports it missing).
bool entry_is_folder(const std::string& folder, const dirent& entry) {
  if (entry.d_type == DT_DIR) return true;
  if (entry.d_type != DT_LNK && entry.d_type != DT_UNKNOWN) return false;
  struct stat status {};
  const std::string path = folder + '/' + entry.d_name;
  return ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode);
}

}  // namespace

DirectoryListing list_directory(const std::string& path) {
  DirectoryListing listing;
  const std::unique_ptr<DIR, int (*)(DIR*)> directory(::opendir(path.c_str()), ::closedir);
  if (directory.get() == nullptr) {
    listing.error = std::strerror(errno);
    return listing;
  }
  struct stat status {};
  if (::fstat(::dirfd(directory.get()), &status) == 0) {
    listing.device = static_cast<std::uint64_t>(status.st_dev);
    listing.inode = static_cast<std::uint64_t>(status.st_ino);
  }
  listing.opened = true;
  while (const dirent* entry = ::readdir(directory.get())) {
    const std::string_view name(entry->d_name);
    if (is_hidden_name(name)) {
      if (name != "." && name != "..") ++listing.hidden_entries;
      continue;
    }
    if (entry_is_folder(path, *entry)) {
      listing.folders.add(name);
    } else if (has_image_extension(name)) {
      listing.image_files.add(name);
    } else {
      ++listing.other_files;
    }
  }
  listing.image_files.sort();
  listing.folders.sort();
  return listing;
}

ClassFolderContents walk_class_folder(const std::string& root, const std::string& class_folder) {
  ClassFolderContents contents;
  struct VisitedFolder {
    std::string relative_path;
    NameList image_files;
  };
  std::vector<VisitedFolder> visited;
  std::set<std::pair<std::uint64_t, std::uint64_t>> seen_identities;
  std::vector<std::string> pending{class_folder};
  while (!pending.empty()) {
    std::string relative = std::move(pending.back());
    pending.pop_back();
    DirectoryListing listing = list_directory(root + '/' + relative);
    if (!listing.opened) {
      contents.findings.push_back({IndexFindingKind::UnreadableFolder, relative, listing.error});
      continue;
    }
    if (!seen_identities.emplace(listing.device, listing.inode).second) {
      contents.findings.push_back({IndexFindingKind::SymlinkLoop, relative, "folder already walked"});
      continue;
    }
    contents.hidden_entries += listing.hidden_entries;
    contents.other_files += listing.other_files;
    for (std::size_t index = 0; index < listing.folders.size(); ++index) {
      const std::string_view name = listing.folders[index];
      if (has_image_extension(name))
        contents.findings.push_back(
            {IndexFindingKind::DirectoryNamedLikeImage, relative + '/' + std::string(name), "a folder, not an image"});
      pending.push_back(relative + '/' + std::string(name));
    }
    visited.push_back({std::move(relative), std::move(listing.image_files)});
  }
  // os.walk's tuples sorted by their root path: a byte-wise sort of the folder paths, not a depth-first order.
  std::sort(visited.begin(), visited.end(), [](const VisitedFolder& left, const VisitedFolder& right) {
    return left.relative_path < right.relative_path;
  });
  std::string path;
  for (const VisitedFolder& folder : visited) {
    for (std::size_t index = 0; index < folder.image_files.size(); ++index) {
      path.assign(folder.relative_path).append(1, '/').append(folder.image_files[index]);
      contents.relative_paths.add(path);
    }
  }
  return contents;
}

int resolve_thread_count(int requested) {
  GENINT_CHECK(requested >= 0, "thread count must be 0 (all) or positive, got " + std::to_string(requested));
  if (requested > 0) return requested;
  const unsigned hardware = std::thread::hardware_concurrency();
  return static_cast<int>(std::clamp(hardware, 1U, 16U));
}

void index_class_folders(DatasetIndex& index, const std::string& root, const std::vector<std::string>& class_folders,
                         const std::vector<std::int32_t>& labels, int threads) {
  GENINT_CHECK(class_folders.size() == labels.size(), "one label per class folder");
  std::vector<ClassFolderContents> walked(class_folders.size());
  std::atomic<std::size_t> next_folder{0};
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(resolve_thread_count(threads)));
  auto work = [&](std::size_t worker) {
    try {
      for (std::size_t folder = next_folder++; folder < class_folders.size(); folder = next_folder++)
        walked[folder] = walk_class_folder(root, class_folders[folder]);
    } catch (...) {
      failures[worker] = std::current_exception();
      next_folder = class_folders.size();
    }
  };
  std::vector<std::thread> workers;
  for (std::size_t worker = 1; worker < failures.size(); ++worker) workers.emplace_back(work, worker);
  work(0);
  for (auto& worker : workers) worker.join();
  for (const auto& failure : failures)
    if (failure) std::rethrow_exception(failure);

  std::size_t files = index.size(), bytes = 0;
  for (const auto& contents : walked) {
    files += contents.relative_paths.size();
    bytes += contents.relative_paths.total_bytes();
  }
  index.reserve(files, bytes);
  for (std::size_t folder = 0; folder < walked.size(); ++folder) {
    ClassFolderContents& contents = walked[folder];
    for (std::size_t file = 0; file < contents.relative_paths.size(); ++file)
      index.add_file(contents.relative_paths[file], labels[folder]);
    if (contents.relative_paths.empty())
      index.add_finding(IndexFindingKind::EmptyClassFolder, class_folders[folder], "no images");
    for (auto& finding : contents.findings) index.add_finding(finding.kind, finding.path, finding.detail);
    index.add_skipped(contents.hidden_entries, contents.other_files);
    contents = ClassFolderContents{};  // free each class's names as soon as they are in the arena
  }
}

}  // namespace genint::io
