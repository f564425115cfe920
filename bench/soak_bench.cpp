// genint-bench soak: a long run of a loader mixing natural JPEGs and generated interventions while files vanish and
// return under it and other loaders are created and destroyed beside it; RSS and open descriptors sampled as it goes.
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <opencv2/core.hpp>
#include <thread>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "bench/soak_disturber.h"
#include "loader/config/loader_config.h"
#include "loader/pipeline/loader_builder.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

struct SoakOptions {
  std::int64_t samples = 1000000;
  std::int64_t sample_every = 10000;
  std::int64_t recreate_every = 50000;
  int classes = 8, per_class = 64;
  int threads = 2;  // 1 producer per source lets its convolutions spread over OpenMP threads: slower when shared
  double spoiled_fraction = 0.25;
  int disturb_ms = 2;
  int churn_pause_ms = 500;
  std::string demo = GENINT_SOAK_DEMO_DIR;
};

void declare_soak(CommandSpec command, SoakOptions& options) {
  command.integer("--samples", options.samples, "samples taken from the main loader", 1, std::int64_t{1} << 40);
  command.integer("--sample-every", options.sample_every, "samples between two RSS/descriptor readings", 1,
                  std::int64_t{1} << 40);
  command.integer("--recreate-every", options.recreate_every,
                  "samples after which the main loader is destroyed (producers running) and made again", 1,
                  std::int64_t{1} << 40);
  command.integer("--classes", options.classes, "class folders of the temporary JPEG tree", 1, 1000);
  command.integer("--per-class", options.per_class, "JPEGs per class folder", 1, 100000);
  command.integer("--threads", options.threads, "producer threads per source", 1, 64);
  command.number("--spoiled-fraction", options.spoiled_fraction,
                 "most files deleted, emptied or truncated at once (0: no disturber)", 0.0, 0.9);
  command.integer("--disturb-ms", options.disturb_ms, "pause between two file changes", 0, 60000);
  command.integer("--churn-pause-ms", options.churn_pause_ms,
                  "pause between the short-lived loaders made and destroyed beside the main one (-1: none)", -1, 60000);
  command.text("--demo", options.demo, "folder with the demo generator and its directions");
}

// The mixed config of tests/fuzz/corpus/loader_config/mixed.json at the demo generator's own 32 × 32.
nlohmann::json soak_config(const SoakOptions& options, const std::string& root, std::uint64_t seed) {
  return {{"seed", seed},
          {"deterministic", true},
          {"batch_size", 32},
          {"image", {{"size", 32}, {"layout", "uint8_hwc"}}},
          {"sources",
           {{{"kind", "natural"},
             {"fraction", 0.75},
             {"threads", options.threads},
             {"root", root},
             {"flip", true},
             {"crop_scale_min", 0.2},
             {"rotation_degrees", 10},
             {"brightness", 0.2}},
            {{"kind", "intervention"},
             {"fraction", 0.25},
             {"weight", 0.05},
             {"threads", options.threads},
             {"chunk", 8},
             {"generator", options.demo + "/generator.safetensors"},
             {"directions", options.demo + "/directions-gen_z-pca.safetensors"},
             {"space", "latent"},
             {"truncation", 0.7},
             {"top_k", 8},
             {"step", 3.0}}}}};
}

// RSS in MiB, from /proc/self/statm.
double resident_mib() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t total_pages = 0, resident_pages = 0;
  statm >> total_pages >> resident_pages;
  GENINT_CHECK(static_cast<bool>(statm), "genint-bench soak: cannot read /proc/self/statm");
  return static_cast<double>(resident_pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE))) / (1024.0 * 1024.0);
}

// The heap in use (every arena), beside RSS: the allocator keeps freed pages resident, so RSS moves in steps as
// loaders come and go while this counts only what is allocated now.
double heap_in_use_mib() {
  return static_cast<double>(mallinfo2().uordblks) / (1024.0 * 1024.0);
}

// RSS once glibc has handed its free pages back (malloc_trim): what the process holds, without the free pages its
// arenas keep. glibc raises each arena's trim threshold to twice the largest mmap'd block freed so far (up to 64 MiB),
// and the number of arenas grows with the core count, so raw RSS wanders by tens of MiB as loaders come and go, more
// on machines with more cores; this reading does not. Measured at 100 000 samples on 2 cores: raw RSS 280-326 MiB,
// and 259-271 MiB with MALLOC_TRIM_THRESHOLD_ pinned at 1 MiB.
double resident_after_trim_mib() {
  ::malloc_trim(0);
  return resident_mib();
}

// Entries of /proc/self/fd, less the one the listing itself holds open.
std::int64_t open_descriptors() {
  std::int64_t count = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)entry;
    ++count;
  }
  return count - 1;
}

// Least-squares slope of y over x.
double fitted_slope(const std::vector<double>& x, const std::vector<double>& y) {
  const double n = static_cast<double>(x.size());
  if (x.size() < 2) return 0.0;
  double sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    sx += x[i], sy += y[i], sxx += x[i] * x[i], sxy += x[i] * y[i];
  }
  const double denominator = n * sxx - sx * sx;
  return denominator > 0 ? (n * sxy - sx * sy) / denominator : 0.0;
}

struct SkipTally {
  std::map<std::string, std::uint64_t> by_reason;
  std::uint64_t total = 0;

  void add(const loader::LoaderPipeline& pipeline) {
    for (std::size_t source = 0; source < pipeline.source_count(); ++source)
      for (const auto& [reason, summary] : pipeline.source_statistics(source).skips_by_reason()) {
        by_reason[reason] += summary.count;
        total += summary.count;
      }
  }
};

// Short-lived loaders beside the main one: each is made, gives 0, 1 or 2 batches and is destroyed with its
// producers still filling the ring (0 batches: destroyed while the first batch is being made).
class LoaderChurn {
 public:
  LoaderChurn(const SoakOptions& options, std::string root) : options_(options), root_(std::move(root)) {
    if (options.churn_pause_ms >= 0) thread_ = std::thread([this] { run(); });
  }
  ~LoaderChurn() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
  }
  LoaderChurn(const LoaderChurn&) = delete;
  LoaderChurn& operator=(const LoaderChurn&) = delete;

  // Stops the thread; rethrows what stopped it early.
  void stop() {
    stopping_ = true;
    if (thread_.joinable()) thread_.join();
    if (failure_) std::rethrow_exception(failure_);
  }
  // Held by the caller, no churned loader is alive: readings then see the main loader alone (a churned one adds
  // ~20 MiB of heap for its lifetime, which would make the series two-valued).
  std::unique_lock<std::mutex> pause() { return std::unique_lock<std::mutex>(alive_mutex_); }
  std::uint64_t loaders() const { return loaders_; }
  std::uint64_t samples() const { return samples_; }
  const SkipTally& skips() const { return skips_; }  // read after stop()

 private:
  void run() {
    try {
      for (std::uint64_t round = 0; !stopping_; ++round) {
        {
          const std::lock_guard<std::mutex> alive(alive_mutex_);
          auto pipeline =
              loader::make_loader_pipeline(loader::parse_loader_config(soak_config(options_, root_, 1000 + round)));
          for (std::uint64_t batch = 0; batch < round % 3; ++batch) {
            const loader::BatchView view = pipeline->next_batch();
            samples_ += static_cast<std::uint64_t>(view.size);
            pipeline->release_batch(view.ring_slot, view.index);
          }
          skips_.add(*pipeline);
        }
        ++loaders_;
        std::this_thread::sleep_for(std::chrono::milliseconds(options_.churn_pause_ms));
      }
    } catch (...) {
      failure_ = std::current_exception();
    }
  }

  const SoakOptions& options_;
  const std::string root_;
  std::atomic<bool> stopping_{false};
  std::mutex alive_mutex_;  // held while a churned loader exists
  std::atomic<std::uint64_t> loaders_{0}, samples_{0};
  SkipTally skips_;
  std::exception_ptr failure_;
  std::thread thread_;
};

struct SoakSeries {
  std::vector<double> samples, rss_mib, rss_trimmed_mib, heap_mib;
  std::vector<std::int64_t> descriptors;
};

struct MainLoaderRun {
  std::uint64_t samples = 0, natural = 0, generated = 0, loaders = 0;
  SkipTally skips;
  SoakSeries series;
};

void record_point(const SoakOptions& options, MainLoaderRun& run, double seconds, const Disturber* disturber) {
  run.series.samples.push_back(static_cast<double>(run.samples));
  // Raw RSS first: the trim returns the free pages kept since the last reading, so the raw series shows what the
  // allocator kept over one interval, and the trimmed one what the process holds.
  run.series.rss_mib.push_back(resident_mib());
  run.series.rss_trimmed_mib.push_back(resident_after_trim_mib());
  run.series.heap_mib.push_back(heap_in_use_mib());
  run.series.descriptors.push_back(open_descriptors());
  std::fprintf(stderr,
               "[soak] %llu / %lld samples, %.0f s, RSS %.1f MiB (%.1f trimmed), heap %.1f MiB, %lld fds, %llu main "
               "loaders, %zu files spoiled\n",
               static_cast<unsigned long long>(run.samples), static_cast<long long>(options.samples), seconds,
               run.series.rss_mib.back(), run.series.rss_trimmed_mib.back(), run.series.heap_mib.back(),
               static_cast<long long>(run.series.descriptors.back()), static_cast<unsigned long long>(run.loaders),
               disturber ? disturber->spoiled_now() : std::size_t{0});
}

// The main loader: batches taken as fast as they come; destroyed (its producers mid-batch) and made again every
// --recreate-every samples; a reading every --sample-every samples.
MainLoaderRun run_main_loader(const SoakOptions& options, const std::string& root, const Disturber* disturber,
                              LoaderChurn& churn) {
  MainLoaderRun run;
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<loader::LoaderPipeline> pipeline;
  std::uint64_t next_point = static_cast<std::uint64_t>(options.sample_every);
  std::uint64_t next_recreate = static_cast<std::uint64_t>(options.recreate_every);
  while (run.samples < static_cast<std::uint64_t>(options.samples)) {
    if (!pipeline) {
      pipeline = loader::make_loader_pipeline(loader::parse_loader_config(soak_config(options, root, run.loaders + 1)));
      ++run.loaders;
    }
    const loader::BatchView view = pipeline->next_batch();
    for (int sample = 0; sample < view.size; ++sample)
      ++(view.sources[sample] == static_cast<std::int32_t>(loader::SourceKind::Natural) ? run.natural : run.generated);
    run.samples += static_cast<std::uint64_t>(view.size);
    pipeline->release_batch(view.ring_slot, view.index);
    // The reading comes first, so every reading sees a main loader alive.
    if (run.samples >= next_point) {
      const std::unique_lock<std::mutex> churn_paused = churn.pause();
      record_point(options, run, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(),
                   disturber);
      next_point += static_cast<std::uint64_t>(options.sample_every);
    }
    if (run.samples >= next_recreate) {
      run.skips.add(*pipeline);
      pipeline.reset();
      next_recreate += static_cast<std::uint64_t>(options.recreate_every);
    }
  }
  if (pipeline) run.skips.add(*pipeline);
  return run;
}

nlohmann::json trend_summary(const SoakSeries& series) {
  // The second half: the first readings include the allocator's and the page cache's one-time growth.
  const std::size_t half = series.samples.size() / 2;
  const std::vector<double> x(series.samples.begin() + static_cast<std::ptrdiff_t>(half), series.samples.end());
  const std::vector<double> rss(series.rss_mib.begin() + static_cast<std::ptrdiff_t>(half), series.rss_mib.end());
  const std::vector<double> rss_trimmed(series.rss_trimmed_mib.begin() + static_cast<std::ptrdiff_t>(half),
                                        series.rss_trimmed_mib.end());
  const std::vector<double> heap(series.heap_mib.begin() + static_cast<std::ptrdiff_t>(half), series.heap_mib.end());
  std::vector<double> fds;
  for (std::size_t i = half; i < series.descriptors.size(); ++i)
    fds.push_back(static_cast<double>(series.descriptors[i]));
  const auto [rss_min, rss_max] = std::minmax_element(series.rss_mib.begin(), series.rss_mib.end());
  const auto [fd_min, fd_max] = std::minmax_element(series.descriptors.begin(), series.descriptors.end());
  const auto [trimmed_min, trimmed_max] =
      std::minmax_element(series.rss_trimmed_mib.begin(), series.rss_trimmed_mib.end());
  return {{"rss_slope_second_half_mib_per_million", fitted_slope(x, rss) * 1e6},
          {"rss_trimmed_slope_second_half_mib_per_million", fitted_slope(x, rss_trimmed) * 1e6},
          {"rss_trimmed_min_mib", series.rss_trimmed_mib.empty() ? 0.0 : *trimmed_min},
          {"rss_trimmed_max_mib", series.rss_trimmed_mib.empty() ? 0.0 : *trimmed_max},
          {"heap_slope_second_half_mib_per_million", fitted_slope(x, heap) * 1e6},
          {"fd_slope_second_half_per_million", fitted_slope(x, fds) * 1e6},
          {"rss_min_mib", series.rss_mib.empty() ? 0.0 : *rss_min},
          {"rss_max_mib", series.rss_mib.empty() ? 0.0 : *rss_max},
          {"fds_min", series.descriptors.empty() ? 0 : *fd_min},
          {"fds_max", series.descriptors.empty() ? 0 : *fd_max}};
}

int run_soak(const SoakOptions& options) {
  cv::setNumThreads(0);  // the loader's producers are the parallelism, as in `genint-bench loader`
  const SoakImageTree tree(options.classes, options.per_class);
  const std::int64_t descriptors_before = open_descriptors();
  const double rss_before_mib = resident_mib();
  const auto start = std::chrono::steady_clock::now();
  std::unique_ptr<Disturber> disturber;
  if (options.spoiled_fraction > 0.0)
    disturber = std::make_unique<Disturber>(tree, options.spoiled_fraction, options.disturb_ms, 99);
  LoaderChurn churn(options, tree.root().string());
  const MainLoaderRun run = run_main_loader(options, tree.root().string(), disturber.get(), churn);
  churn.stop();
  DisturberCounts disturbed;
  if (disturber) {
    disturber->stop();
    disturbed = disturber->counts();
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::int64_t descriptors_after = open_descriptors();
  std::map<std::string, std::uint64_t> skipped = run.skips.by_reason;
  for (const auto& [reason, count] : churn.skips().by_reason) skipped[reason] += count;
  nlohmann::json result = {{"bench", "soak"},
                           {"samples", run.samples},
                           {"natural_samples", run.natural},
                           {"generated_samples", run.generated},
                           {"sample_every", options.sample_every},
                           {"main_loaders", run.loaders},
                           {"churn_loaders", churn.loaders()},
                           {"churn_samples", churn.samples()},
                           {"files", tree.files().size()},
                           {"files_deleted", disturbed.deleted},
                           {"files_emptied", disturbed.emptied},
                           {"files_truncated", disturbed.truncated},
                           {"files_restored", disturbed.restored},
                           {"skipped_main", run.skips.total},
                           {"skipped_by_reason", skipped},
                           {"fds_before", descriptors_before},
                           {"fds_after", descriptors_after},
                           {"rss_before_mib", rss_before_mib},
                           {"series_samples", run.series.samples},
                           {"series_rss_mib", run.series.rss_mib},
                           {"series_rss_trimmed_mib", run.series.rss_trimmed_mib},
                           {"series_heap_mib", run.series.heap_mib},
                           {"series_fds", run.series.descriptors},
                           {"seconds", seconds},
                           {"samples_per_s", static_cast<double>(run.samples) / seconds}};
  result.update(trend_summary(run.series));
  print_json_line(result);
  return 0;
}

const SubcommandRegistrar registrar(
    bench_commands(), "soak",
    make_subcommand("a long mixed-source run with files spoiled under it and loaders made and destroyed beside it; "
                    "RSS and open descriptors every --sample-every samples",
                    declare_soak, run_soak));

}  // namespace
}  // namespace genint::bench
