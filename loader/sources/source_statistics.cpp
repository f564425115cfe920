// Skip bookkeeping: counts every skip, keeps only the first few paths per reason so memory stays
// bounded however many bad files an epoch meets.
#include "loader/sources/source_statistics.h"

namespace genint::loader {

SourceStatistics::SourceStatistics() : start_(std::chrono::steady_clock::now()) {}

void SourceStatistics::record_skip(const std::string& reason, const std::string& path) {
  skipped_.fetch_add(1, std::memory_order_relaxed);
  const std::lock_guard<std::mutex> lock(skips_mutex_);
  SkipSummary& summary = skips_[reason];
  ++summary.count;
  if (summary.example_paths.size() < max_example_paths) summary.example_paths.push_back(path);
}

std::map<std::string, SkipSummary> SourceStatistics::skips_by_reason() const {
  const std::lock_guard<std::mutex> lock(skips_mutex_);
  return skips_;
}

double SourceStatistics::seconds_since_start() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

}  // namespace genint::loader
