// genint-bench loader: the whole natural-only loader (index → shard order → N decode workers → queue →
// batch assembly) consumed as fast as possible; images/s is comparable with `genint-bench natural`.
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
};

void declare_loader(CommandSpec command, LoaderBenchOptions& options) {
  command.text("--data", options.data, "a folder of JPEGs or a class tree").required();
  command.integer("--threads", options.threads, "decode workers", 1, 256);
  command.integer("--size", options.size, "output side in pixels", 1, 4096);
  command.integer("--batch", options.batch, "images per batch", 1, 65536);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
  command.choice("--layout", options.layout, "batch layout", {"uint8_hwc", "float32_chw"});
  command.flag("--arrival", options.arrival, "arrival order instead of deterministic batches");
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
  auto pipeline = loader::make_loader_pipeline(loader::parse_loader_config(config_json));
  std::error_code ignored;
  std::filesystem::remove(list_path, ignored);

  const auto take_batch = [&pipeline] {
    const loader::BatchView view = pipeline->next_batch();
    pipeline->release_batch(view.ring_slot, view.index);
    return view.size;
  };
  // Warm-up as in `genint-bench natural`: page cache, decoder buffers, the first batches' pipeline fill.
  const auto warm_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
  while (std::chrono::steady_clock::now() < warm_until) take_batch();
  const Throughput throughput = measure_throughput(seconds, take_batch);
  const loader::SourceSnapshot snapshot = pipeline->source_snapshot(0);
  print_json_line({{"bench", "loader"},
                   {"images_per_s", throughput.per_second()},
                   {"images_per_cpu_s", throughput.per_cpu_second()},
                   {"threads", threads},
                   {"size", size},
                   {"batch", batch},
                   {"layout", layout},
                   {"deterministic", !options.arrival},
                   {"skipped", snapshot.skipped},
                   {"pinned_memory", pipeline->pinned_memory()}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "loader",
                                    make_subcommand("natural-only loader, batches consumed as fast as they come",
                                                    declare_loader, run_loader));

}  // namespace
}  // namespace genint::bench
