// genint-bench transfer: the AdaIN style-transfer network's forward (nn/models/adain_network) on the CPU or CUDA in
// fp32/tf32/bf16, random full-width weights or a file; one JSON line: samples/s, per CPU-second, FLOPs, peak share.
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
#include <utility>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/device.h"
#include "nn/core/error.h"
#include "nn/models/adain_network.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint::bench {
namespace {

struct TransferBenchOptions {
  std::string weights;  // empty: random full-width weights
  std::string device = "cpu", precision = "fp32";
  int size = 224, batch = 4, threads = 0, style_reuse = 1, iterations = 3;
  double alpha = 1.0, seconds = 2.0, peak_tflops = 0.0;
};

void declare_transfer(CommandSpec command, TransferBenchOptions& options) {
  add_device_option(command, options.device);
  command.choice("--precision", options.precision,
                 "the convolutions' products: fp32; tf32 (cuda: TF32 tensor cores); bf16 (bf16 weights and operands, "
                 "float32 sums; on the CPU the twin of the CUDA roundings, slower than fp32)",
                 {"fp32", "tf32", "bf16"});
  command
      .number("--peak-tflops", options.peak_tflops,
              "cuda: the GPU's dense peak for --precision in TFLOP/s, for the share of peak", 0.0, 1e6)
      .default_text("NVIDIA's datasheet figure for an H100 SXM or H200; other GPUs report no share");
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
      "content count reaches a multiple of --style-reuse, so over a run one style serves --style-reuse contents. "
      "FLOPs: 2 × the convolutions' multiply-adds (adain_conv_flops, from the layer table): per content the encoder "
      "and decoder, per new style the encoder. --device cuda: the legacy default stream, synchronised after the style "
      "statistics and at each step's end, so the times are the GPU's.");
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

AdaINNetworkConfig network_config(const TransferBenchOptions& options) {
  AdaINNetworkConfig config;
  config.device = options.device == "cuda" ? Device::Cuda : Device::Cpu;
  config.precision = options.precision == "tf32"   ? AdaINPrecision::Tf32
                     : options.precision == "bf16" ? AdaINPrecision::Bf16
                                                   : AdaINPrecision::Float32;
  return config;  // stream nullptr: the legacy default stream, which the row copies of TransferStep are ordered on
}

// The network from --weights, or from random weights written to a private temporary file and removed once loaded.
std::unique_ptr<AdaINNetwork> load_network(const std::string& weights, const AdaINNetworkConfig& config) {
  if (!weights.empty()) return std::make_unique<AdaINNetwork>(weights, config);
  std::string path = "/tmp/genint-bench-transfer-XXXXXX";
  const int descriptor = mkstemp(path.data());
  GENINT_CHECK(descriptor >= 0, "genint-bench transfer: cannot create a temporary file for the random weights");
  close(descriptor);
  try {
    write_random_full_width_weights(path);
    auto network = std::make_unique<AdaINNetwork>(path, config);
    std::remove(path.c_str());
    return network;
  } catch (...) {
    std::remove(path.c_str());
    throw;
  }
}

// Uniform [0, 1) images on `device` (uploaded once, before any timing).
Tensor random_images(int count, int size, std::mt19937& generator, Device device) {
  std::uniform_real_distribution<float> pixel(0.0f, 1.0f);
  std::vector<float> values(static_cast<std::size_t>(count) * 3 * size * size);
  for (float& value : values) value = pixel(generator);
  Tensor images = Tensor::empty(Shape{count, 3, size, size}, DType::Float32, device);
  images.copy_from_host(values.data(), values.size() * sizeof(float));
  return images;
}

double cpu_seconds_now() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

// Row `row` of both statistics, a view sharing their storage.
AdaINStyleStatistics row_of(const AdaINStyleStatistics& statistics, int row) {
  return {statistics.mean.slice_rows(row, row + 1), statistics.sigma.slice_rows(row, row + 1)};
}

// Stylizes one batch of contents; `next_content` counts contents over the whole run, so a new style's statistics are
// computed exactly when it reaches a multiple of style_reuse (however that falls against the batch) and `current`
// (a view of the latest style's row) serves the contents after it in later batches. When every content of a batch
// has the same style, that one row goes to stylize as it is (styles() = 1), when each has its own new style the fresh
// statistics do; otherwise each content's row is copied into `expanded` (on CUDA a device-to-device copy on the
// legacy default stream, the network's).
struct TransferStep {
  TransferStep(AdaINNetwork& network_, const TransferBenchOptions& options_) : network(network_), options(options_) {
    std::mt19937 generator(2);
    const Device device = network.device();
    contents = random_images(options.batch, options.size, generator, device);
    styles = random_images(options.batch, options.size, generator, device);  // one per content: any count fits
    const int channels = network.widths()[3];
    expanded = {Tensor::empty(Shape{options.batch, channels}, DType::Float32, device),
                Tensor::empty(Shape{options.batch, channels}, DType::Float32, device)};
    content_flops = adain_conv_flops(network.widths(), options.size, options.size, true);
    style_flops = adain_conv_flops(network.widths(), options.size, options.size, false);
  }
  AdaINNetwork& network;
  const TransferBenchOptions& options;
  Tensor contents, styles;
  AdaINStyleStatistics current;   // the latest style's row, for contents after it in later batches
  AdaINStyleStatistics expanded;  // [batch, channels]: each content's style row, when the batch mixes styles
  std::int64_t next_content = 0;
  double content_flops = 0.0, style_flops = 0.0;

  struct Cost {
    double style_ms = 0.0, flops = 0.0;
  };

  // The statistics this batch's contents use, one row each or one shared row.
  AdaINStyleStatistics statistics_for(const std::vector<int>& new_style_rows, const AdaINStyleStatistics& fresh) {
    const int batch = options.batch;
    const AdaINStyleStatistics previous = current;  // contents before this batch's first new style keep it
    std::vector<std::pair<const AdaINStyleStatistics*, int>> sources;  // per content: statistics and row
    int fresh_index = -1;
    for (int row = 0; row < batch; ++row) {
      if (fresh_index + 1 < static_cast<int>(new_style_rows.size()) && new_style_rows[fresh_index + 1] == row)
        ++fresh_index;
      sources.emplace_back(fresh_index >= 0 ? &fresh : &previous, std::max(fresh_index, 0));
    }
    const AdaINStyleStatistics first = row_of(*sources.front().first, sources.front().second);
    if (fresh_index >= 0) current = row_of(fresh, fresh_index);  // the last new style carries over
    if (std::all_of(sources.begin(), sources.end(), [&](const auto& source) { return source == sources.front(); }))
      return first;
    bool one_each = true;  // every content a new style of its own (style reuse 1): the fresh rows as they are
    for (int row = 0; row < batch; ++row)
      one_each = one_each && sources[static_cast<std::size_t>(row)] == std::make_pair(&fresh, row);
    if (one_each) return fresh;
    for (int row = 0; row < batch; ++row) {
      const AdaINStyleStatistics source =
          row_of(*sources[static_cast<std::size_t>(row)].first, sources[static_cast<std::size_t>(row)].second);
      row_of(expanded, row).mean.copy_from(source.mean);
      row_of(expanded, row).sigma.copy_from(source.sigma);
    }
    return expanded;
  }

  Cost run() {
    std::vector<int> new_style_rows;  // contents of this batch that start a new style
    for (int row = 0; row < options.batch; ++row)
      if ((next_content + row) % options.style_reuse == 0) new_style_rows.push_back(row);
    Cost cost;
    const auto begin = std::chrono::steady_clock::now();
    AdaINStyleStatistics fresh;
    if (!new_style_rows.empty()) {
      fresh = network.style_statistics(styles.slice_rows(0, static_cast<std::int64_t>(new_style_rows.size())));
      network.synchronize();  // CUDA: the style time is the GPU's (a no-op on the CPU)
      cost.flops += style_flops * static_cast<double>(new_style_rows.size());
    }
    cost.style_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count();
    network.stylize(contents, statistics_for(new_style_rows, fresh), static_cast<float>(options.alpha));
    network.synchronize();
    cost.flops += content_flops * options.batch;
    next_content += options.batch;
    return cost;
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
  double flops = 0.0;
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
    const TransferStep::Cost cost = step.run();
    times.style_milliseconds.push_back(cost.style_ms);
    times.flops += cost.flops;
    times.milliseconds.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin).count());
    times.cpu_milliseconds.push_back(1000.0 * (cpu_seconds_now() - cpu_begin));
  }
  return times;
}

// NVIDIA's datasheet peaks of the SXM parts in TFLOP/s, dense (the "with sparsity" figures halved): FP32 on the CUDA
// cores, TF32 and BF16 on the tensor cores. Matched on the whole device name, so a PCIe or NVL part (lower clocks and
// power) is never given an SXM figure.
struct DevicePeak {
  const char* name;
  double fp32, tf32, bf16;
};
constexpr DevicePeak kDevicePeaks[] = {{"NVIDIA H100 80GB HBM3", 67.0, 494.7, 989.4},
                                       {"NVIDIA H200", 67.0, 494.7, 989.4}};

// The peak for this run, and where it came from; 0 when unknown (no share is reported then).
std::pair<double, std::string> peak_tflops(const TransferBenchOptions& options) {
  if (options.peak_tflops > 0.0) return {options.peak_tflops, "--peak-tflops"};
  const std::string description = cuda_device_description();  // "NVIDIA H200, sm_90, 139 GiB"
  const std::string name = description.substr(0, description.find(", sm_"));
  for (const DevicePeak& peak : kDevicePeaks)
    if (name == peak.name) {
      const double value = options.precision == "bf16"   ? peak.bf16
                           : options.precision == "tf32" ? peak.tf32
                                                         : peak.fp32;
      return {value, std::string(peak.name) + " datasheet, dense " + options.precision};
    }
  return {0.0, "unknown for " + name + ": give --peak-tflops"};
}

int run_transfer(const TransferBenchOptions& options) {
  const bool cuda = options.device == "cuda";
  check_usage(cuda || options.precision != "tf32", "--precision tf32 applies to --device cuda only");
  check_usage(cuda || options.peak_tflops == 0.0, "--peak-tflops applies to --device cuda only");
  if (cuda) GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  if (options.threads > 0) omp_set_num_threads(options.threads);
  const std::unique_ptr<AdaINNetwork> loaded = load_network(options.weights, network_config(options));
  AdaINNetwork& network = *loaded;
  TransferStep step(network, options);
  step.run();  // warm-up: sizes the arena (the first batch computes the most styles), faults pages, picks algorithms
  const StepTimes times = time_steps(step, options);
  const double steps = static_cast<double>(times.milliseconds.size());
  const double samples = steps * options.batch;
  const double samples_per_second = 1000.0 * samples / sum(times.milliseconds);
  const double achieved_tflops = times.flops / (sum(times.milliseconds) / 1000.0) / 1e12;
  const AdaINWidths& widths = network.widths();
  nlohmann::json line = {{"bench", "transfer"},
                         {"impl", "genint"},
                         {"device", options.device},
                         {"precision", options.precision},
                         {"weights", options.weights.empty() ? "random" : options.weights},
                         {"widths", {widths[0], widths[1], widths[2], widths[3]}},
                         {"size", options.size},
                         {"batch", options.batch},
                         {"style_reuse", options.style_reuse},
                         {"alpha", options.alpha},
                         {"threads", omp_get_max_threads()},
                         {"iterations", times.milliseconds.size()},
                         // Means over whole style cycles: with style reuse, steps differ in cost, so a median would
                         // pick one kind of step.
                         {"mean_ms", sum(times.milliseconds) / steps},
                         {"median_ms", median(times.milliseconds)},
                         {"min_ms", *std::min_element(times.milliseconds.begin(), times.milliseconds.end())},
                         // Style statistics (the encoder on new style images) per step; the rest is the contents'
                         // encoder, AdaIN and the decoder.
                         {"mean_style_ms", sum(times.style_milliseconds) / steps},
                         // --device cuda: the host thread's CPU time (launches and the waits), not the GPU's work
                         {"mean_cpu_ms", sum(times.cpu_milliseconds) / steps},
                         {"samples_per_s", samples_per_second},
                         {"samples_per_cpu_s", 1000.0 * samples / sum(times.cpu_milliseconds)},
                         // 2 × the convolutions' multiply-adds from the layer table: a content's encoder + decoder
                         // (48.44 GFLOP at 224² and the real widths), plus the encoder of each new style, per sample
                         {"gflop_per_content", step.content_flops / 1e9},
                         {"gflop_per_sample", times.flops / samples / 1e9},
                         {"achieved_tflop_per_s", achieved_tflops},
                         {"arena_bytes", network.arena().capacity()}};
  if (cuda) {
    const auto [peak, source] = peak_tflops(options);
    line["gpu"] = cuda_device_description();
    line["peak_tflop_per_s"] = peak > 0.0 ? nlohmann::json(peak) : nlohmann::json(nullptr);
    line["peak_source"] = source;
    line["share_of_peak"] = peak > 0.0 ? nlohmann::json(achieved_tflops / peak) : nlohmann::json(nullptr);
  }
  print_json_line(line);
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "transfer",
                                    make_subcommand("AdaIN style transfer forward (CPU or CUDA): samples/s, FLOPs",
                                                    declare_transfer, run_transfer));

}  // namespace
}  // namespace genint::bench
