// genint-bench resnet: a torchvision ResNet on the CPU or CUDA (FP32, TF32 or bf16 convs), forward (eval batch norm)
// or a training step (upload, train forward, cross-entropy, backward, SGD); one JSON line with images/s, ms/batch.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
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

struct ResNetBenchOptions {
  std::string device = "cpu", architecture = "resnet18", mode = "forward";
  int batch = 8, size = 224, classes = 1000, iterations = 5;
  double seconds = 2.0;
  bool tf32 = false, bf16 = false;
};

void declare_resnet(CommandSpec command, ResNetBenchOptions& options) {
  add_device_option(command, options.device);
  command.choice("--arch", options.architecture, "torchvision architecture",
                 {"resnet18", "resnet34", "resnet50", "resnet101", "resnet152"});
  command.integer("--batch", options.batch, "images per step", 1, 65536);
  command.integer("--size", options.size, "image side in pixels", 1, 4096);
  command.choice("--mode", options.mode, "forward (eval batch norm) or a training step", {"forward", "train"});
  command.integer("--classes", options.classes, "classifier outputs", 1, 1'000'000);
  command.integer("--iterations", options.iterations, "timed steps at least", 1, 1'000'000);
  command.number("--seconds", options.seconds, "timed wall time at least", 0.0, 86400.0);
  command.flag("--tf32", options.tf32, "cuda: allow TF32 tensor-core math");
  command.flag("--bf16", options.bf16, "cuda: bf16 convolutions (BN, fc and SGD stay float32)");
}

int run_resnet(const ResNetBenchOptions& options) {
  const std::string& device = options.device;
  check_usage(device == "cuda" || (!options.tf32 && !options.bf16), "--tf32 and --bf16 apply to --device cuda only");
  if (device == "cuda") GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  const std::string& architecture = options.architecture;
  const int batch = options.batch;
  const int size = options.size;
  const std::string& mode = options.mode;
  const int minimum_iterations = options.iterations;
  const double minimum_seconds = options.seconds;

  ResNetConfig config{architecture, options.classes, false};
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
  step();  // warm-up: sizes the arena, faults the pages in
  using Clock = std::chrono::steady_clock;
  std::vector<double> milliseconds;
  const auto start = Clock::now();
  while (static_cast<int>(milliseconds.size()) < minimum_iterations ||
         std::chrono::duration<double>(Clock::now() - start).count() < minimum_seconds) {
    const auto begin = Clock::now();
    step();
    milliseconds.push_back(std::chrono::duration<double, std::milli>(Clock::now() - begin).count());
  }
  std::sort(milliseconds.begin(), milliseconds.end());
  const double median = milliseconds[milliseconds.size() / 2];
  print_json_line({{"bench", "resnet"},
                   {"impl", "genint"},
                   {"device", device},
                   {"tf32", config.allow_tf32},
                   {"bf16", config.bf16},
                   {"step", mode == "train" ? "upload+forward+backward+sgd" : "upload+forward"},
                   {"arch", architecture},
                   {"mode", mode},
                   {"batch", batch},
                   {"size", size},
                   {"threads", omp_get_max_threads()},
                   {"iterations", milliseconds.size()},
                   {"median_ms", median},
                   {"min_ms", milliseconds.front()},
                   {"images_per_s", 1000.0 * batch / median},
                   {"arena_bytes", model.arena().capacity()}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "resnet",
                                    make_subcommand("ResNet forward or training step: images/s, ms per batch",
                                                    declare_resnet, run_resnet));

}  // namespace
}  // namespace genint::bench
