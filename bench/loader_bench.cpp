// genint-bench loader: the whole natural-only loader (index → shard order → N decode workers → queue →
// batch assembly) consumed as fast as possible; images/s is comparable with `genint-bench natural`. --mixup A
// measures the same loader with and without Mixup in alternating windows of one run, and Mixup's own CPU time.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <opencv2/core.hpp>
#include <random>
#include <thread>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "loader/config/loader_config.h"
#include "loader/pipeline/loader_builder.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

bool has_subfolders(const std::string& folder) {
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_directory()) return true;
  return false;
}

// A flat folder of JPEGs (the benchmark corpus) is not a dataset layout: list it, all labelled 0.
std::string write_file_list(const std::string& folder, const std::filesystem::path& list_path) {
  std::ofstream list(list_path);
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file()) list << std::filesystem::absolute(entry.path()).string() << " 0\n";
  GENINT_CHECK(static_cast<bool>(list), "genint-bench loader: cannot write " + list_path.string());
  return list_path.string();
}

struct LoaderBenchOptions {
  std::string data;
  int threads = 1, size = 224, batch = 64;
  double seconds = 5.0;
  std::string layout = "float32_chw";  // what `genint-bench natural` produces
  bool arrival = false;
  double mixup_alpha = 0.0;  // 0: no Mixup comparison
};

void declare_loader(CommandSpec command, LoaderBenchOptions& options) {
  command.text("--data", options.data, "a folder of JPEGs or a class tree").required();
  command.integer("--threads", options.threads, "decode workers", 1, 256);
  command.integer("--size", options.size, "output side in pixels", 1, 4096);
  command.integer("--batch", options.batch, "images per batch", 1, 65536);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
  command.choice("--layout", options.layout, "batch layout", {"uint8_hwc", "float32_chw"});
  command.flag("--arrival", options.arrival, "arrival order instead of deterministic batches");
  command.number("--mixup", options.mixup_alpha,
                 "Mixup's alpha: the loader with and without Mixup, alternating windows of --seconds each, and "
                 "Mixup's CPU share",
                 0.0, 1000.0, true);
}

struct LoaderMeasurement {
  Throughput throughput;
  double mixup_cpu_seconds = 0.0;  // time inside Mixup's λ draws and blends (all threads) in the measured window
  std::uint64_t skipped = 0;
  bool pinned_memory = false;
};

// Builds the loader, warms it up as `genint-bench natural` does (page cache, decoder buffers, the first batches'
// pipeline fill), then consumes batches for `seconds`.
LoaderMeasurement measure_loader(const nlohmann::json& config_json, double seconds) {
  auto pipeline = loader::make_loader_pipeline(loader::parse_loader_config(config_json));
  const auto take_batch = [&pipeline] {
    const loader::BatchView view = pipeline->next_batch();
    pipeline->release_batch(view.ring_slot, view.index);
    return view.size;
  };
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < warm_until) take_batch();
  const double mixup_before = pipeline->mixup() ? pipeline->mixup()->cpu_seconds() : 0.0;
  LoaderMeasurement measurement;
  measurement.throughput = measure_throughput(seconds, take_batch);
  if (pipeline->mixup()) measurement.mixup_cpu_seconds = pipeline->mixup()->cpu_seconds() - mixup_before;
  measurement.skipped = pipeline->source_snapshot(0).skipped;
  measurement.pinned_memory = pipeline->pinned_memory();
  return measurement;
}

void add_to(LoaderMeasurement& total, const LoaderMeasurement& part) {
  total.throughput.items += part.throughput.items;
  total.throughput.seconds += part.throughput.seconds;
  total.throughput.cpu_seconds += part.throughput.cpu_seconds;
  total.mixup_cpu_seconds += part.mixup_cpu_seconds;
  total.skipped += part.skipped;
  total.pinned_memory = part.pinned_memory;
}

// --mixup: windows alternate plain, mixed, plain, mixed so a shared machine's drift hits both alike. Mixup's cost
// is read two ways: its own seconds (λ draws and blends, summed over threads) against the loader's CPU seconds (all
// threads) in the mixed windows, and the images/s lost. Only the first is precise on a busy machine, and a busy
// machine's cache misses inflate it: measure on a quiet one.
nlohmann::json compare_mixup(const nlohmann::json& plain_config, double alpha, double seconds, int batch) {
  nlohmann::json mixed_config = plain_config;
  mixed_config["mixup"] = {{"alpha", alpha}};
  LoaderMeasurement plain, mixed;
  for (int window = 0; window < 2; ++window) {
    add_to(plain, measure_loader(plain_config, seconds));
    add_to(mixed, measure_loader(mixed_config, seconds));
  }
  const double share = mixed.throughput.cpu_seconds > 0 ? mixed.mixup_cpu_seconds / mixed.throughput.cpu_seconds : 0;
  return {{"mixup_alpha", alpha},
          {"mixup_images_per_s", mixed.throughput.per_second()},
          {"mixup_images_per_cpu_s", mixed.throughput.per_cpu_second()},
          {"mixup_cpu_share", share},
          {"mixup_ms_per_batch", 1e3 * mixed.mixup_cpu_seconds / (mixed.throughput.items / batch)},
          {"mixup_throughput_loss", 1.0 - mixed.throughput.per_second() / plain.throughput.per_second()},
          {"images_per_s", plain.throughput.per_second()},
          {"images_per_cpu_s", plain.throughput.per_cpu_second()},
          {"skipped", plain.skipped + mixed.skipped},
          {"pinned_memory", plain.pinned_memory}};
}

int run_loader(const LoaderBenchOptions& options) {
  const std::string& data = options.data;
  const int threads = options.threads, size = options.size, batch = options.batch;
  const double seconds = options.seconds;
  const std::string& layout = options.layout;
  // Same setting as `genint-bench natural`: the loader's workers are the parallelism.
  cv::setNumThreads(0);
  const std::filesystem::path list_path = std::filesystem::temp_directory_path() /
                                          ("genint-bench-loader-" + std::to_string(std::random_device{}()) + ".txt");
  const bool flat = !has_subfolders(data);
  const std::string root = flat ? write_file_list(data, list_path) : data;
  const nlohmann::json config_json = {{"seed", 1},
                                      {"deterministic", !options.arrival},
                                      {"image", {{"size", size}, {"layout", layout}}},
                                      {"sources",
                                       {{{"kind", "natural"},
                                         {"count", batch},
                                         {"threads", threads},
                                         {"root", root},
                                         {"layout", flat ? "filelist" : "auto"}}}}};
  nlohmann::json result;
  if (options.mixup_alpha > 0.0) {
    result = compare_mixup(config_json, options.mixup_alpha, seconds, batch);
  } else {
    const LoaderMeasurement measurement = measure_loader(config_json, seconds);
    result = {{"images_per_s", measurement.throughput.per_second()},
              {"images_per_cpu_s", measurement.throughput.per_cpu_second()},
              {"skipped", measurement.skipped},
              {"pinned_memory", measurement.pinned_memory}};
  }
  std::error_code ignored;
  std::filesystem::remove(list_path, ignored);
  result.update({{"bench", "loader"},
                 {"threads", threads},
                 {"size", size},
                 {"batch", batch},
                 {"layout", layout},
                 {"deterministic", !options.arrival}});
  print_json_line(result);
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "loader",
                                    make_subcommand("natural-only loader, batches consumed as fast as they come",
                                                    declare_loader, run_loader));

}  // namespace
}  // namespace genint::bench
