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

int run_resnet(const std::vector<std::string>& arguments) {
  const BenchOptions options(
      arguments, {"arch", "batch", "size", "mode", "classes", "iterations", "seconds", "device", "tf32", "bf16"});
  const std::string device = options.text("device", "cpu");
  GENINT_CHECK(device == "cpu" || device == "cuda", "--device must be cpu or cuda, got " + device);
  GENINT_CHECK(device == "cuda" || (!options.has("tf32") && !options.has("bf16")),
               "--tf32 and --bf16 apply to --device cuda only");
  if (device == "cuda") GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  const std::string architecture = options.text("arch", "resnet18");
  const int batch = options.integer("batch", 8);
  const int size = options.integer("size", 224);
  const std::string mode = options.text("mode", "forward");
  GENINT_CHECK(mode == "forward" || mode == "train", "--mode must be forward or train, got " + mode);
  GENINT_CHECK(batch > 0 && size > 0, "--batch and --size must be positive");
  const int minimum_iterations = options.integer("iterations", 5);
  const double minimum_seconds = options.number("seconds", 2.0);

  ResNetConfig config{architecture, options.integer("classes", 1000), false};
  config.device = device == "cuda" ? Device::Cuda : Device::Cpu;
  config.allow_tf32 = options.has("tf32");
  config.bf16 = options.has("bf16");  // bf16 convolutions; BN, fc and the SGD master weights stay float32
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

const BenchCommandRegistrar registrar(
    "resnet",
    {"ResNet forward or training step: --device cpu|cuda [--tf32] [--bf16] --arch resnet18 --batch 8 --size 224 "
     "--mode forward|train",
     run_resnet});

}  // namespace
}  // namespace genint::bench
