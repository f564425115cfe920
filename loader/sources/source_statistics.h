// Per-source counters the pipeline and producers update from many threads: samples delivered, skips by
// reason with a bounded list of example paths, so a trainer can see what its data cost and lost.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace genint::loader {

struct SkipSummary {
  std::uint64_t count = 0;
  std::vector<std::string> example_paths;  // the first few, bounded by SourceStatistics::max_example_paths
};

class SourceStatistics {
 public:
  static constexpr std::size_t max_example_paths = 16;

  SourceStatistics();
  void add_delivered(std::uint64_t count) { delivered_.fetch_add(count, std::memory_order_relaxed); }
  std::uint64_t delivered() const { return delivered_.load(std::memory_order_relaxed); }
  // Skips are rare (a bad file), so a mutex is fine here; the hot path never takes it.
  void record_skip(const std::string& reason, const std::string& path);
  std::uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }
  std::map<std::string, SkipSummary> skips_by_reason() const;
  double seconds_since_start() const;

 private:
  std::atomic<std::uint64_t> delivered_{0};
  std::atomic<std::uint64_t> skipped_{0};
  std::chrono::steady_clock::time_point start_;
  mutable std::mutex skips_mutex_;
  std::map<std::string, SkipSummary> skips_;
};

}  // namespace genint::loader
