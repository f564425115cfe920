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

int run_loader(const std::vector<std::string>& arguments) {
  const BenchOptions options(arguments, {"data", "threads", "seconds", "size", "batch", "layout", "arrival"});
  GENINT_CHECK(options.has("data"), "genint-bench loader: give --data DIR (a folder of JPEGs or a class tree)");
  const std::string data = options.text("data", "");
  const int threads = options.integer("threads", 1), size = options.integer("size", 224);
  const int batch = options.integer("batch", 64);
  const double seconds = options.number("seconds", 5.0);
  const std::string layout = options.text("layout", "float32_chw");  // what `genint-bench natural` produces
  // Same setting as `genint-bench natural`: the loader's workers are the parallelism.
  cv::setNumThreads(0);
  const std::filesystem::path list_path = std::filesystem::temp_directory_path() /
                                          ("genint-bench-loader-" + std::to_string(std::random_device{}()) + ".txt");
  const bool flat = !has_subfolders(data);
  const std::string root = flat ? write_file_list(data, list_path) : data;
  const nlohmann::json config_json = {{"seed", 1},
                                      {"deterministic", !options.has("arrival")},
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
                   {"deterministic", !options.has("arrival")},
                   {"skipped", snapshot.skipped},
                   {"pinned_memory", pipeline->pinned_memory()}});
  return 0;
}

const BenchCommandRegistrar registrar(
    "loader", {"natural-only loader, batches consumed as fast as they come (--data DIR --threads N --seconds S "
               "[--batch B] [--size S] [--layout uint8_hwc|float32_chw] [--arrival])",
               run_loader});

}  // namespace
}  // namespace genint::bench
