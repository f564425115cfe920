// genint-bench transfer: the AdaIN style-transfer network's CPU forward (nn/models/adain_network) on full-width random
// weights or a converted file; one JSON line with samples/s and samples per CPU-second at one content size.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/error.h"
#include "nn/models/adain_network.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint::bench {
namespace {

struct TransferBenchOptions {
  std::string weights;  // empty: random full-width weights
  int size = 224, batch = 4, threads = 0, style_reuse = 1, iterations = 3;
  double alpha = 1.0, seconds = 2.0;
};

void declare_transfer(CommandSpec command, TransferBenchOptions& options) {
  command.text("--weights", options.weights, "a tools/convert_adain.py .safetensors (widths from the file)")
      .default_text("random full-width weights (64/128/256/512, seed 1)");
  command.integer("--size", options.size, "content and style side in pixels (one size per run: 32 or 224 typical)", 9,
                  4096);
  command.integer("--batch", options.batch, "content images per step", 1, 4096);
  command.integer("--threads", options.threads, "OpenMP threads", 0, 1024).default_text("OMP_NUM_THREADS or all cores");
  command.number("--alpha", options.alpha, "content-style trade-off (1: pure AdaIN)", 0.0, 1.0);
  command.integer("--style-reuse", options.style_reuse,
                  "contents per style: each style's statistics computed once, then used by this many contents", 1,
                  1'000'000);
  command.integer("--iterations", options.iterations, "timed steps at least (rounded up to whole style-reuse cycles)",
                  1, 1'000'000);
  command.number("--seconds", options.seconds, "timed wall time at least", 0.0, 86400.0);
  command.footer(
      "A step stylizes --batch contents; the style statistics of a new style image are computed whenever the running "
      "content count reaches a multiple of --style-reuse, so over a run one style serves --style-reuse contents.");
}

// net.py's 19 convs at the real widths, He-uniform (bound sqrt(6/fan_in)) with biases ±0.05, the decoder's output
// conv at 0.12 of that with bias 0.5 as tools/golden/make_adain_goldens.py: the forward's cost depends on the shapes
// only, but the output then spreads around 0.5 like a trained network's rather than being all clamped.
void write_random_full_width_weights(const std::string& path) {
  const int channels[5] = {3, 64, 128, 256, 512};
  std::mt19937 generator(1);
  io::SafetensorsWriter writer;
  for (std::size_t position = 0; position < adain_layers.size(); ++position) {
    const AdaINLayerSpec& layer = adain_layers[position];
    const bool output = position + 1 == adain_layers.size();
    const auto in = static_cast<std::uint64_t>(channels[layer.in_level]);
    const auto out = static_cast<std::uint64_t>(channels[layer.out_level]);
    const auto kernel = static_cast<std::uint64_t>(layer.kernel);
    const float bound =
        static_cast<float>(std::sqrt(6.0 / static_cast<double>(in * kernel * kernel))) * (output ? 0.12f : 1.0f);
    std::uniform_real_distribution<float> weight(-bound, bound), bias(-0.05f, 0.05f);
    std::vector<float> weights(out * in * kernel * kernel), biases(out);
    for (float& value : weights) value = weight(generator);
    for (float& value : biases) value = bias(generator) + (output ? 0.5f : 0.0f);
    writer.add(std::string(layer.name) + ".weight", {out, in, kernel, kernel}, weights);
    writer.add(std::string(layer.name) + ".bias", {out}, biases);
  }
  writer.write_file(path);
}

// The network from --weights, or from random weights written to a private temporary file and removed once loaded.
std::unique_ptr<AdaINNetwork> load_network(const std::string& weights) {
  if (!weights.empty()) return std::make_unique<AdaINNetwork>(weights);
  std::string path = "/tmp/genint-bench-transfer-XXXXXX";
  const int descriptor = mkstemp(path.data());
  GENINT_CHECK(descriptor >= 0, "genint-bench transfer: cannot create a temporary file for the random weights");
  close(descriptor);
  try {
    write_random_full_width_weights(path);
    auto network = std::make_unique<AdaINNetwork>(path);
    std::remove(path.c_str());
    return network;
  } catch (...) {
    std::remove(path.c_str());
    throw;
  }
}

Tensor random_images(int count, int size, std::mt19937& generator) {
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(count) * 3 * size * size);
  for (float& value : values) value = pixel(generator);
  Tensor images = Tensor::empty(Shape{count, 3, size, size}, DType::Float32, Device::Cpu);
  images.copy_from_host(values.data(), values.size() * sizeof(float));
  return images;
}

double cpu_seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Stylizes one batch of contents; `next_content` counts contents over the whole run, so a new style's statistics are
// computed exactly when it reaches a multiple of style_reuse (however that falls against the batch) and kept in
// `current` for the contents after it. Returns the wall milliseconds spent on style statistics.
struct TransferStep {
  TransferStep(AdaINNetwork& network_, const TransferBenchOptions& options_) : network(network_), options(options_) {
    std::mt19937 generator(2);
    contents = random_images(options.batch, options.size, generator);
    styles = random_images(options.batch, options.size, generator);  // one per content: any count of new styles fits
    const int channels = network.widths()[3];
    current = {Tensor::empty(Shape{1, channels}, DType::Float32, Device::Cpu),
               Tensor::empty(Shape{1, channels}, DType::Float32, Device::Cpu)};
    expanded = {Tensor::empty(Shape{options.batch, channels}, DType::Float32, Device::Cpu),
                Tensor::empty(Shape{options.batch, channels}, DType::Float32, Device::Cpu)};
  }
  AdaINNetwork& network;
  const TransferBenchOptions& options;
  Tensor contents, styles;
  AdaINStyleStatistics current;   // the latest style's row, for contents after it in later batches
  AdaINStyleStatistics expanded;  // [batch, channels]: each content's style row, as stylize takes them
  std::int64_t next_content = 0;

  double run() {
    const int batch = options.batch;
    const int channels = network.widths()[3];
    std::vector<int> new_style_rows;  // contents of this batch that start a new style
    for (int row = 0; row < batch; ++row)
      if ((next_content + row) % options.style_reuse == 0) new_style_rows.push_back(row);
    const auto begin = std::chrono::steady_clock::now();
    AdaINStyleStatistics fresh;
    if (!new_style_rows.empty())
      fresh = network.style_statistics(styles.slice_rows(0, static_cast<std::int64_t>(new_style_rows.size())));
    const double style_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    float* means = expanded.mean.data<float>();
    float* sigmas = expanded.sigma.data<float>();
    int fresh_index = -1;
    for (int row = 0; row < batch; ++row) {
      if (fresh_index + 1 < static_cast<int>(new_style_rows.size()) && new_style_rows[fresh_index + 1] == row)
        ++fresh_index;
      const AdaINStyleStatistics& source = fresh_index >= 0 ? fresh : current;
      const int source_row = fresh_index >= 0 ? fresh_index : 0;
      std::copy_n(source.mean.data<float>() + source_row * channels, channels, means + row * channels);
      std::copy_n(source.sigma.data<float>() + source_row * channels, channels, sigmas + row * channels);
    }
    if (fresh_index >= 0) {  // the last new style carries over into the next batch
      std::copy_n(means + (batch - 1) * channels, channels, current.mean.data<float>());
      std::copy_n(sigmas + (batch - 1) * channels, channels, current.sigma.data<float>());
    }
    network.stylize(contents, expanded, static_cast<float>(options.alpha));
    next_content += batch;
    return style_ms;
  }
};

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

struct StepTimes {
  std::vector<double> milliseconds, cpu_milliseconds, style_milliseconds;
};

// Steps until --iterations and --seconds are both reached AND the step count is a whole number of style cycles
// (style_reuse / gcd(batch, style_reuse) steps: the period after which new styles fall on the same rows again), so
// the steps that compute style statistics and those that only reuse them come in their true proportion.
StepTimes time_steps(TransferStep& step, const TransferBenchOptions& options) {
  const std::size_t cycle =
      static_cast<std::size_t>(options.style_reuse / std::gcd(options.batch, options.style_reuse));
  StepTimes times;
  const auto start = std::chrono::steady_clock::now();
  while (static_cast<int>(times.milliseconds.size()) < options.iterations || times.milliseconds.size() % cycle != 0 ||
         std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() < options.seconds) {
    const auto begin = std::chrono::steady_clock::now();
    const double cpu_begin = cpu_seconds_now();
    times.style_milliseconds.push_back(step.run());
    times.milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count());
    times.cpu_milliseconds.push_back(1000.0 * (cpu_seconds_now() - cpu_begin));
  }
  return times;
}

int run_transfer(const TransferBenchOptions& options) {
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const std::unique_ptr<AdaINNetwork> loaded = load_network(options.weights);
  AdaINNetwork& network = *loaded;
  TransferStep step(network, options);
  step.run();  // warm-up: sizes the arena (the first batch computes the most styles), faults the pages in
  const StepTimes times = time_steps(step, options);
  const double steps = static_cast<double>(times.milliseconds.size());
  const double samples = steps * options.batch;
  const AdaINWidths& widths = network.widths();
  print_json_line({{"bench", "transfer"},
                   {"impl", "genint"},
                   {"device", "cpu"},
                   {"weights", options.weights.empty() ? "random" : options.weights},
                   {"widths", {widths[0], widths[1], widths[2], widths[3]}},
                   {"size", options.size},
                   {"batch", options.batch},
                   {"style_reuse", options.style_reuse},
                   {"alpha", options.alpha},
                   {"threads", omp_get_max_threads()},
                   {"iterations", times.milliseconds.size()},
                   // Means over whole style cycles: with style reuse, steps differ in cost, so a median would pick one
                   // kind of step.
                   {"mean_ms", sum(times.milliseconds) / steps},
                   {"median_ms", median(times.milliseconds)},
                   {"min_ms", *std::min_element(times.milliseconds.begin(), times.milliseconds.end())},
                   // Style statistics (the encoder on new style images) per step; the rest is the contents' encoder,
                   // AdaIN and the decoder.
                   {"mean_style_ms", sum(times.style_milliseconds) / steps},
                   {"mean_cpu_ms", sum(times.cpu_milliseconds) / steps},
                   {"samples_per_s", 1000.0 * samples / sum(times.milliseconds)},
                   {"samples_per_cpu_s", 1000.0 * samples / sum(times.cpu_milliseconds)},
                   {"arena_bytes", network.arena().capacity()}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "transfer",
                                    make_subcommand("AdaIN style transfer CPU forward: samples/s, per CPU-second",
                                                    declare_transfer, run_transfer));

}  // namespace
}  // namespace genint::bench
