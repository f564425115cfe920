// genint-bench soak's world: a temporary ImageFolder of small JPEGs, and a thread that deletes, empties and
// truncates its files and puts them back while loaders read them (what a shared cluster file system does to a run).
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace genint::bench {

// classes × per_class JPEGs (48×40, a per-file pattern) under a fresh temp folder; removed by the destructor.
class SoakImageTree {
 public:
  SoakImageTree(int classes, int per_class);
  ~SoakImageTree();
  SoakImageTree(const SoakImageTree&) = delete;
  SoakImageTree& operator=(const SoakImageTree&) = delete;

  const std::filesystem::path& root() const { return root_; }
  const std::filesystem::path& holding() const { return holding_; }  // beside the tree, where removed files wait
  const std::vector<std::filesystem::path>& files() const { return files_; }

 private:
  std::filesystem::path base_, root_, holding_;
  std::vector<std::filesystem::path> files_;
};

struct DisturberCounts {
  std::uint64_t deleted = 0, emptied = 0, truncated = 0, restored = 0;
};

// Every `pause_ms` either spoils an intact file (deleted, emptied or cut to a third, each in place as a user or a
// failing copy would) or restores a spoiled one from its saved copy; at most `max_spoiled_fraction` of the files
// are spoiled at once. stop() restores every file, so the tree ends whole. A filesystem error stops the thread and
// is rethrown by stop().
class Disturber {
 public:
  Disturber(const SoakImageTree& tree, double max_spoiled_fraction, int pause_ms, std::uint64_t seed);
  ~Disturber();
  Disturber(const Disturber&) = delete;
  Disturber& operator=(const Disturber&) = delete;

  void stop();
  DisturberCounts counts() const;
  std::size_t spoiled_now() const;

 private:
  void run(std::uint64_t seed);
  void spoil(std::size_t file, std::uint64_t how);
  void restore(std::size_t file);

  const SoakImageTree& tree_;
  std::size_t max_spoiled_;
  int pause_ms_;
  std::vector<std::size_t> spoiled_;  // indices into tree_.files()
  std::vector<bool> is_spoiled_;
  DisturberCounts counts_;
  mutable std::mutex mutex_;  // counts_ and spoiled_ are read by the reporting thread
  std::atomic<bool> stopping_{false};
  std::exception_ptr failure_;
  std::thread thread_;
};

}  // namespace genint::bench
