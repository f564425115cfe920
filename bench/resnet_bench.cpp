// genint-bench resnet: a torchvision or CIFAR ResNet on the CPU or CUDA (FP32, TF32 or bf16 convs), forward (eval
// BN) or a training step (upload, train forward, cross-entropy, backward, SGD); one JSON line with images/s, ms/batch.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <ctime>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/models/resnet.h"
#include "nn/optim/sgd.h"

namespace genint::bench {
namespace {

// VmRSS (resident now) or VmHWM (peak resident) from /proc/self/status, in bytes; 0 where it cannot be read.
std::int64_t status_bytes(const std::string& field) {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind(field + ":", 0) != 0) continue;
    return 1024 * std::stoll(line.substr(field.size() + 1));  // "VmRSS:    1234 kB"
  }
  return 0;
}

double process_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

struct ResNetBenchOptions {
  std::string device = "cpu", architecture = "resnet18", mode = "forward";
  int batch = 8, size = 224, classes = 1000, iterations = 5;
  double seconds = 2.0;
  bool tf32 = false, bf16 = false, small_input_stem = false;
};

void declare_resnet(CommandSpec command, ResNetBenchOptions& options) {
  add_device_option(command, options.device);
  command.choice("--arch", options.architecture,
                 "resnet18..152: torchvision's; resnet20/32/56: He et al.'s CIFAR nets (32x32)",
                 resnet_architectures());
  command.integer("--batch", options.batch, "images per step", 1, 65536);
  command.integer("--size", options.size, "image side in pixels", 1, 4096);
  command.choice("--mode", options.mode, "forward (eval batch norm) or a training step", {"forward", "train"});
  command.integer("--classes", options.classes, "classifier outputs", 1, 1'000'000);
  command.integer("--iterations", options.iterations, "timed steps at least", 1, 1'000'000);
  command.number("--seconds", options.seconds, "timed wall time at least", 0.0, 86400.0);
  command.flag("--tf32", options.tf32, "cuda: allow TF32 tensor-core math");
  command.flag("--bf16", options.bf16, "cuda: bf16 convolutions (BN, fc and SGD stay float32)");
  command.flag("--small-input-stem", options.small_input_stem,
               "resnet18..152: 3x3/1 stem conv, no max pool, for small images (resnet20/32/56 always have one)");
}

int run_resnet(const ResNetBenchOptions& options) {
  const std::string& device = options.device;
  check_usage(device == "cuda" || (!options.tf32 && !options.bf16), "--tf32 and --bf16 apply to --device cuda only");
  check_usage(!(options.small_input_stem && is_cifar_resnet(options.architecture)),
              "--small-input-stem applies to resnet18..resnet152; " + options.architecture +
                  " always has its 3x3 stride-1 stem");
  if (device == "cuda") GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  const std::string& architecture = options.architecture;
  const int batch = options.batch;
  const int size = options.size;
  const std::string& mode = options.mode;
  const int minimum_iterations = options.iterations;
  const double minimum_seconds = options.seconds;

  ResNetConfig config{architecture, options.classes, options.small_input_stem};
  config.device = device == "cuda" ? Device::Cuda : Device::Cpu;
  config.allow_tf32 = options.tf32;
  config.bf16 = options.bf16;  // bf16 convolutions; BN, fc and the SGD master weights stay float32
  ResNet model(config);
  Sgd sgd(SgdOptions{0.9f, 1e-4f, false});
  for (const ResNetTensor& parameter : model.parameters()) sgd.add_parameter(parameter.value, parameter.grad);
  // uint8 HWC pixels, as the loader ships them: the upload and the normalisation are part of the step.
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(batch) * size * size * 3);
  std::mt19937 generator(1);
  for (std::uint8_t& pixel : pixels) pixel = static_cast<std::uint8_t>(generator() & 0xFF);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
  for (int sample = 0; sample < batch; ++sample) labels[static_cast<std::size_t>(sample)] = sample % 10;

  auto step = [&] {
    const Tensor images = model.upload_images(pixels.data(), batch, size, size);
    if (mode == "forward") {
      model.forward(images, BatchNormMode::Eval);
    } else {
      model.forward(images, BatchNormMode::Train);
      model.backward(labels.data(), batch);
      sgd.step(0.01f, config.stream);
    }
    if (config.device == Device::Cuda) cuda_synchronize();  // queued CUDA work must finish inside the timing
  };
  const std::int64_t resident_before = status_bytes("VmRSS");
  step();  // warm-up: sizes the arena, faults the pages in
  using Clock = std::chrono::steady_clock;
  std::vector<double> milliseconds, cpu_milliseconds;
  const auto start = Clock::now();
  while (static_cast<int>(milliseconds.size()) < minimum_iterations ||
         std::chrono::duration<double>(Clock::now() - start).count() < minimum_seconds) {
    const auto begin = Clock::now();
    const double cpu_begin = process_cpu_seconds();
    step();
    milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
    cpu_milliseconds.push_back(1000.0 * (process_cpu_seconds() - cpu_begin));
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  std::sort(cpu_milliseconds.begin(), cpu_milliseconds.end());
  const double median = milliseconds[milliseconds.size() / 2];
  print_json_line({{"bench", "resnet"},
                   {"impl", "genint"},
                   {"device", device},
                   {"tf32", config.allow_tf32},
                   {"bf16", config.bf16},
                   {"step", mode == "train" ? "upload+forward+backward+sgd" : "upload+forward"},
                   {"arch", architecture},
                   {"small_input_stem", config.small_input_stem},
                   {"mode", mode},
                   {"batch", batch},
                   {"size", size},
                   {"threads", omp_get_max_threads()},
                   {"iterations", milliseconds.size()},
                   {"median_ms", median},
                   {"min_ms", milliseconds.front()},
                   {"images_per_s", 1000.0 * batch / median},
                   // CPU time of all threads: on shared cores it shows the cost apart from the share each step got.
                   {"median_cpu_ms", cpu_milliseconds[cpu_milliseconds.size() / 2]},
                   {"arena_bytes", model.arena().capacity()},
                   // Peak resident growth from just before the first step to now: the arena and every other page
                   // a step writes first (gradients and SGD buffers are allocated with the model, written later).
                   {"peak_rss_growth_bytes", status_bytes("VmHWM") - resident_before}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "resnet",
                                    make_subcommand("ResNet forward or training step: images/s, ms per batch",
                                                    declare_resnet, run_resnet));

}  // namespace
}  // namespace genint::bench
