// Skipped-file accounting of genint-train. The per-source counts come from genint_loader_source_stats on every
// step (cheap); the reasons and example paths from genint_loader_stats_json only when a count changed.
#include "examples/trainer/skip_monitor.h"

#include <cstdio>

namespace genint::trainer {

SkipMonitor::SkipMonitor(const Loader& loader, double max_fraction) : max_fraction_(max_fraction) {
  const std::int32_t count = loader.source_count();
  for (std::int32_t index = 0; index < count; ++index) {
    const genint_source_stats stats = loader.source_stats(index);
    SourceSkips source;
    source.kind = genint_source_kind_name(stats.kind);
    if (stats.kind == GENINT_SOURCE_NATURAL)
      source.files_per_epoch = stats.batches_per_epoch * static_cast<std::uint64_t>(stats.count_per_batch);
    sources_.push_back(source);
  }
}

void SkipMonitor::update(const Loader& loader, std::uint64_t natural_epoch) {
  epochs_reached_ = natural_epoch + 1;
  bool changed = false;
  for (std::size_t index = 0; index < sources_.size(); ++index) {
    const std::uint64_t skipped = loader.source_stats(static_cast<std::int32_t>(index)).skipped;
    changed = changed || skipped != sources_[index].skipped;
    sources_[index].skipped = skipped;
  }
  if (changed) read_reasons(loader);
}

void SkipMonitor::read_reasons(const Loader& loader) {
  const nlohmann::json stats = nlohmann::json::parse(loader.stats_json());
  const nlohmann::json& listed = stats.at("sources");
  for (std::size_t index = 0; index < sources_.size() && index < listed.size(); ++index) {
    SourceSkips& source = sources_[index];
    const nlohmann::json skips = listed[index].value("skips", nlohmann::json::object());
    for (auto entry = skips.begin(); entry != skips.end(); ++entry) {
      const std::string& reason = entry.key();
      const nlohmann::json& summary = entry.value();
      const bool first_time = source.reasons.count(reason) == 0;
      source.reasons[reason] = summary.value("count", std::uint64_t{0});
      source.examples[reason] = summary.value("examples", std::vector<std::string>{});
      if (!first_time) continue;
      const std::vector<std::string>& examples = source.examples[reason];
      std::fprintf(stderr,
                   "genint-train: warning: source %zu (%s) skips files: %s (e.g. '%s'); counts by reason are in "
                   "train-log.jsonl, on the progress line and in the summary\n",
                   index, source.kind.c_str(), reason.c_str(), examples.empty() ? "?" : examples.front().c_str());
    }
  }
}

std::uint64_t SkipMonitor::total() const {
  std::uint64_t sum = 0;
  for (const SourceSkips& source : sources_) sum += source.skipped;
  return sum;
}

nlohmann::json SkipMonitor::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (std::size_t index = 0; index < sources_.size(); ++index)
    list.push_back({{"source", index},
                    {"kind", sources_[index].kind},
                    {"skipped", sources_[index].skipped},
                    {"reasons", sources_[index].reasons}});
  return list;
}

std::string SkipMonitor::progress_text() const {
  if (total() == 0) return "";
  std::string text = " | skipped " + std::to_string(total()) + " (";
  for (std::size_t index = 0; index < sources_.size(); ++index)
    text += (index > 0 ? ", " : "") + sources_[index].kind + " " + std::to_string(sources_[index].skipped);
  return text + ")";
}

std::string SkipMonitor::limit_exceeded() const {
  for (std::size_t index = 0; index < sources_.size(); ++index) {
    const SourceSkips& source = sources_[index];
    const double allowed =
        max_fraction_ * static_cast<double>(source.files_per_epoch) * static_cast<double>(epochs_reached_);
    if (source.files_per_epoch == 0 || static_cast<double>(source.skipped) <= allowed) continue;
    char limit[160];
    std::snprintf(limit, sizeof limit,
                  "over --max-skipped-fraction %g of %llu files per epoch (at most %g in %llu epochs):", max_fraction_,
                  static_cast<unsigned long long>(source.files_per_epoch), allowed,
                  static_cast<unsigned long long>(epochs_reached_));
    std::string message = "source " + std::to_string(index) + " (" + source.kind + ") skipped " +
                          std::to_string(source.skipped) + " files, " + limit;
    for (const auto& [reason, count] : source.reasons) {
      message += " " + reason + ": " + std::to_string(count) + " (e.g.";
      const std::vector<std::string>& examples = source.examples.at(reason);
      for (std::size_t shown = 0; shown < examples.size() && shown < 3; ++shown)
        message += " '" + examples[shown] + "'";
      message += ");";
    }
    return message;
  }
  return "";
}

}  // namespace genint::trainer
