// genint-train's view of the files the loader skipped (unreadable, empty, corrupt, deleted): per source and reason,
// for the log, the progress line and the summary; one stderr warning per new reason; the --max-skipped-fraction test.
#pragma once

#include <cstdint>
#include <genint.hpp>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace genint::trainer {

class SkipMonitor {
 public:
  // `max_fraction`: the share of a natural source's files per epoch that may be skipped, on average over the
  // epochs the run has reached (see limit_exceeded).
  SkipMonitor(const Loader& loader, double max_fraction);

  // Reads the skipped counts (and, only when one changed, the reasons from the stats JSON); warns on stderr the
  // first time a source reports a reason. `natural_epoch`: the epoch of the latest batch handed out.
  void update(const Loader& loader, std::uint64_t natural_epoch);

  std::uint64_t total() const;
  // [{"source": 0, "kind": "natural", "skipped": N, "reasons": {"reason": N, ...}}, ...] in config order.
  nlohmann::json to_json() const;
  // " | skipped N (natural N, ...)" once anything was skipped, else "".
  std::string progress_text() const;
  // Empty while every natural source's skipped files stay within max_fraction × files per epoch × epochs reached
  // (the loader re-reads every file each epoch, so a file that stays broken counts once per epoch); otherwise the
  // error naming the source, the counts, the reasons and example paths.
  std::string limit_exceeded() const;

 private:
  struct SourceSkips {
    std::string kind;
    std::uint64_t files_per_epoch = 0;  // 0: not a file source
    std::uint64_t skipped = 0;
    std::map<std::string, std::uint64_t> reasons;
    std::map<std::string, std::vector<std::string>> examples;
  };
  void read_reasons(const Loader& loader);

  double max_fraction_;
  std::uint64_t epochs_reached_ = 1;
  std::vector<SourceSkips> sources_;
};

}  // namespace genint::trainer
