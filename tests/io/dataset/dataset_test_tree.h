// A temporary folder tree for dataset tests: files, folders, links and FIFOs made on request,
// everything removed (permissions restored first) when the tree goes out of scope.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include <gtest/gtest.h>

namespace genint::io::testing {

class DatasetTestTree {
 public:
  DatasetTestTree() {
    static std::atomic<int> counter{0};
    const auto stamp = std::chrono::steady_clock::now().time_since_epoch().count();
    root_ = std::filesystem::temp_directory_path() /
            ("genint-dataset-test-" + std::to_string(::getpid()) + "-" + std::to_string(stamp) + "-" +
             std::to_string(counter++));
    std::filesystem::create_directories(root_);
  }
  ~DatasetTestTree() {
    std::error_code ignored;
    for (auto it = std::filesystem::recursive_directory_iterator(root_, ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      if (!it->is_symlink(ignored))
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, ignored);
    }
    std::filesystem::remove_all(root_, ignored);
  }
  DatasetTestTree(const DatasetTestTree&) = delete;
  DatasetTestTree& operator=(const DatasetTestTree&) = delete;

  std::string root() const { return root_.string(); }
  std::string path(const std::string& relative) const { return (root_ / relative).string(); }

  std::string write(const std::string& relative, const std::string& content = {}) const {
    const auto target = root_ / relative;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    out << content;
    EXPECT_TRUE(out.good()) << target;
    return target.string();
  }
  std::string folder(const std::string& relative) const {
    std::filesystem::create_directories(root_ / relative);
    return (root_ / relative).string();
  }
  void symlink(const std::string& target, const std::string& relative) const {
    std::filesystem::create_directories((root_ / relative).parent_path());
    std::filesystem::create_symlink(target, root_ / relative);
  }
  void fifo(const std::string& relative) const {
    std::filesystem::create_directories((root_ / relative).parent_path());
    ASSERT_EQ(::mkfifo((root_ / relative).c_str(), 0644), 0) << relative;
  }

 private:
  std::filesystem::path root_;
};

}  // namespace genint::io::testing
