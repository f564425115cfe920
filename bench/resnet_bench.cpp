// genint-bench resnet: a torchvision ResNet on the CPU, forward only (eval batch norm) or a training step
// (train forward, cross-entropy, backward); one JSON line with images per second and milliseconds per batch.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "nn/core/error.h"
#include "nn/models/resnet.h"

namespace genint::bench {
namespace {

int run_resnet(const std::vector<std::string>& arguments) {
  const BenchOptions options(arguments, {"arch", "batch", "size", "mode", "classes", "iterations", "seconds"});
  const std::string architecture = options.text("arch", "resnet18");
  const int batch = options.integer("batch", 8);
  const int size = options.integer("size", 224);
  const std::string mode = options.text("mode", "forward");
  GENINT_CHECK(mode == "forward" || mode == "train", "--mode must be forward or train, got " + mode);
  GENINT_CHECK(batch > 0 && size > 0, "--batch and --size must be positive");
  const int minimum_iterations = options.integer("iterations", 5);
  const double minimum_seconds = options.number("seconds", 2.0);

  ResNet model(ResNetConfig{architecture, options.integer("classes", 1000), false});
  Tensor images = Tensor::empty(Shape{batch, 3, size, size}, DType::Float32, Device::Cpu);
  std::mt19937 generator(1);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (std::int64_t index = 0; index < images.element_count(); ++index) images.data<float>()[index] = normal(generator);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(batch));
  for (int sample = 0; sample < batch; ++sample) labels[static_cast<std::size_t>(sample)] = sample % 10;

  auto step = [&] {
    if (mode == "forward") {
      model.forward(images, BatchNormMode::Eval);
    } else {
      model.forward(images, BatchNormMode::Train);
      model.backward(labels.data(), batch);
    }
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
  print_json_line({{"bench", "resnet"}, {"impl", "genint"}, {"device", "cpu"}, {"arch", architecture},
                   {"mode", mode}, {"batch", batch}, {"size", size}, {"threads", omp_get_max_threads()},
                   {"iterations", milliseconds.size()}, {"median_ms", median}, {"min_ms", milliseconds.front()},
                   {"images_per_s", 1000.0 * batch / median}, {"arena_bytes", model.arena().capacity()}});
  return 0;
}

const BenchCommandRegistrar registrar(
    "resnet", {"ResNet forward or training step on the CPU: --arch resnet18 --batch 8 --size 224 --mode forward|train",
               run_resnet});

}  // namespace
}  // namespace genint::bench
