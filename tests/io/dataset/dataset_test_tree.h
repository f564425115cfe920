// A temporary folder tree for dataset tests: files, folders, links and FIFOs made on request,
// everything removed (permissions restored first) when the tree goes out of scope.
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <system_error>

#include "support/temporary_directory.h"

namespace genint::io::testing {

using ::genint::testing::TemporaryDirectory;

class DatasetTestTree {
 public:
  DatasetTestTree() : directory_("dataset-test") {}
  // Permissions first: a test may leave unreadable folders that remove_all could not enter.
  ~DatasetTestTree() {
    std::error_code ignored;
    for (auto it = std::filesystem::recursive_directory_iterator(directory_.path(), ignored);
         it != std::filesystem::recursive_directory_iterator(); it.increment(ignored)) {
      if (!it->is_symlink(ignored))
        std::filesystem::permissions(it->path(), std::filesystem::perms::owner_all, ignored);
    }
  }
  DatasetTestTree(const DatasetTestTree&) = delete;
  DatasetTestTree& operator=(const DatasetTestTree&) = delete;

  std::string root() const { return directory_.path().string(); }
  std::string path(const std::string& relative) const { return (directory_.path() / relative).string(); }

  std::string write(const std::string& relative, const std::string& content = {}) const {
    const auto target = directory_.path() / relative;
    std::filesystem::create_directories(target.parent_path());
    std::ofstream out(target, std::ios::binary);
    out << content;
    EXPECT_TRUE(out.good()) << target;
    return target.string();
  }
  std::string folder(const std::string& relative) const {
    std::filesystem::create_directories(directory_.path() / relative);
    return (directory_.path() / relative).string();
  }
  void symlink(const std::string& target, const std::string& relative) const {
    std::filesystem::create_directories((directory_.path() / relative).parent_path());
    std::filesystem::create_symlink(target, directory_.path() / relative);
  }
  void fifo(const std::string& relative) const {
    std::filesystem::create_directories((directory_.path() / relative).parent_path());
    ASSERT_EQ(::mkfifo((directory_.path() / relative).c_str(), 0644), 0) << relative;
  }

 private:
  TemporaryDirectory directory_;
};

}  // namespace genint::io::testing
