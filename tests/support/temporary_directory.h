// Tests only: a fresh directory under the system temp dir, removed with everything in it at scope exit.
// The name carries a tag, the process id, a counter and a random number, so parallel ctest runs never share one.
#pragma once

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>

namespace genint::testing {

class TemporaryDirectory {
 public:
  explicit TemporaryDirectory(const std::string& tag = "test") {
    static std::atomic<int> counter{0};
    std::random_device device;
    path_ = std::filesystem::temp_directory_path() /
            ("genint-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) + "-" +
             std::to_string(device()));
    std::filesystem::create_directories(path_);
  }
  // Never throws: a test that already failed must not terminate while cleaning up.
  ~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TemporaryDirectory(const TemporaryDirectory&) = delete;
  TemporaryDirectory& operator=(const TemporaryDirectory&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // `relative` inside the directory, as a string (most APIs under test take strings).
  std::string file(const std::string& relative) const { return (path_ / relative).string(); }

 private:
  std::filesystem::path path_;
};

}  // namespace genint::testing
