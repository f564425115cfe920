// genint-bench natural: the whole natural-image path (file read from the page cache → ROI decode → crop →
// resize → flip → [AutoAugment] → normalize into a batch buffer) on N threads, each with its own NaturalSampleMaker.

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <opencv2/core.hpp>
#include <thread>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "io/natural/natural_pipeline.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

constexpr int kBatchSlots = 32;  // each thread cycles through its own slice of a batch buffer

struct ThreadTally {
  std::uint64_t images = 0;
  std::uint64_t skipped = 0;
  std::uint64_t scale_eighths_sum = 0;
  std::uint64_t auto_augment_steps = 0;  // AutoAugment operations that ran (0..2 per image)
};

std::vector<std::string> list_files(const std::string& folder) {
  std::vector<std::string> files;
  for (const auto& entry : std::filesystem::directory_iterator(folder))
    if (entry.is_regular_file()) files.push_back(entry.path().string());
  std::sort(files.begin(), files.end());
  GENINT_CHECK(!files.empty(), "genint-bench natural: no files in --data " + folder);
  return files;
}

// One worker: walks the file list from its own starting point until `stop`, counting only while `timing`.
void run_worker(const std::vector<std::string>& files, const io::NaturalPipelineConfig& config, int thread_index,
                const std::atomic<bool>& timing, const std::atomic<bool>& stop, ThreadTally& tally) {
  io::NaturalSampleMaker maker(config);
  std::vector<float> batch(maker.output_values() * kBatchSlots);
  std::size_t position = files.size() * static_cast<std::size_t>(thread_index) / 7;
  std::uint64_t sample = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    const std::string& path = files[position++ % files.size()];
    float* slot = batch.data() + (sample % kBatchSlots) * maker.output_values();
    const io::SampleResult result = maker.make_from_file(path, sample * 1000003ull + thread_index, slot);
    ++sample;
    if (!timing.load(std::memory_order_relaxed)) continue;
    ++tally.images;
    tally.skipped += !io::decode_outcome_has_pixels(result.outcome);
    tally.scale_eighths_sum += static_cast<std::uint64_t>(result.scale_eighths);
    tally.auto_augment_steps += std::uint64_t{result.auto_augment.applied[0]} + result.auto_augment.applied[1];
  }
}

struct NaturalBenchOptions {
  std::string data;
  int threads = 1, size = 224;
  double seconds = 5.0;
  bool fast_dct = false;
  std::string auto_augment;  // empty: off
  std::string auto_augment_interpolation = "nearest";
};

void declare_natural(CommandSpec command, NaturalBenchOptions& options) {
  command.text("--data", options.data, "a folder of JPEGs").required();
  command.integer("--threads", options.threads, "worker threads", 1, 256);
  command.integer("--size", options.size, "output side in pixels", 1, 4096);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
  command.flag("--fast-dct", options.fast_dct, "JDCT_IFAST instead of the default ISLOW");
  OptionSpec auto_augment = command.choice(
      "--auto-augment", options.auto_augment,
      "torchvision's AutoAugment policy after the flip (cifar10 and svhn are not built in)", {"imagenet"});
  command
      .choice("--auto-augment-interpolation", options.auto_augment_interpolation, "AutoAugment's resampling",
              {"nearest", "bilinear"})
      .needs(auto_augment);
}

int run_natural(const NaturalBenchOptions& options) {
  const int threads = options.threads, size = options.size;
  const double seconds = options.seconds;
  const std::vector<std::string> files = list_files(options.data);
  // The loader's threads are the parallelism; OpenCV's own pool would only oversubscribe the cores.
  cv::setNumThreads(0);
  io::NaturalPipelineConfig config;
  config.output_size = size;
  config.fast_dct = options.fast_dct;  // JDCT_IFAST, to weigh what it buys against the default ISLOW
  const std::string& auto_augment = options.auto_augment;
  if (!auto_augment.empty()) {
    io::AutoAugmentOptions auto_augment_options;
    auto_augment_options.policy = io::auto_augment_policy_from_name(auto_augment);
    auto_augment_options.interpolation = io::auto_augment_interpolation_from_name(options.auto_augment_interpolation);
    config.auto_augment = auto_augment_options;
  }

  std::atomic<bool> timing{false}, stop{false};
  std::vector<ThreadTally> tallies(static_cast<std::size_t>(threads));
  std::vector<std::thread> workers;
  for (int index = 0; index < threads; ++index)
    workers.emplace_back(run_worker, std::cref(files), std::cref(config), index, std::cref(timing), std::cref(stop),
                         std::ref(tallies[static_cast<std::size_t>(index)]));
  // Warm-up: page cache, decoder buffers, OpenCV's first-call set-up.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  const auto start = std::chrono::steady_clock::now();
  const double cpu_start = process_cpu_seconds();
  timing = true;
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  timing = false;
  const double cpu_seconds = process_cpu_seconds() - cpu_start;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  stop = true;
  for (auto& worker : workers) worker.join();

  ThreadTally total;
  for (const ThreadTally& tally : tallies) {
    total.images += tally.images;
    total.skipped += tally.skipped;
    total.scale_eighths_sum += tally.scale_eighths_sum;
    total.auto_augment_steps += tally.auto_augment_steps;
  }
  print_json_line(
      {{"bench", "natural"},
       {"images_per_s", static_cast<double>(total.images) / elapsed},
       {"threads", threads},
       {"size", size},
       {"seconds", elapsed},
       {"images_per_cpu_s", cpu_seconds > 0.0 ? static_cast<double>(total.images) / cpu_seconds : 0.0},
       {"cores", std::thread::hardware_concurrency()},
       {"files", files.size()},
       {"images", total.images},
       {"skipped", total.skipped},
       {"mean_scale_eighths", total.images ? static_cast<double>(total.scale_eighths_sum) / total.images : 0.0},
       {"fast_dct", config.fast_dct},
       {"auto_augment", config.auto_augment ? auto_augment : "off"},
       {"auto_augment_interpolation", config.auto_augment ? options.auto_augment_interpolation : ""},
       {"auto_augment_steps_per_image",
        total.images ? static_cast<double>(total.auto_augment_steps) / static_cast<double>(total.images) : 0.0}});
  return 0;
}

const SubcommandRegistrar registrar(
    bench_commands(), "natural",
    make_subcommand("file → ROI decode → random-resized-crop → flip → [AutoAugment] → normalize, images/s",
                    declare_natural, run_natural));

}  // namespace
}  // namespace genint::bench
