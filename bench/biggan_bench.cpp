// genint-bench biggan: BigGAN-deep forward images/s on the CPU or CUDA for a converted model
// (tools/convert_biggan.py; by default the tiny golden model) or random full-size 256 weights. One JSON line.
#include <omp.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "gan/biggan/biggan_generator.h"
#include "gan/sampling/truncated_normal.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

// "--config random-256": pytorch-pretrained-biggan's biggan-deep-256 architecture with seeded random weights.
constexpr const char* kRandom256 = "random-256";

struct BigGanBenchOptions {
  std::string device = "cpu";
  int batch = 8;
  std::string config = GENINT_BIGGAN_DEFAULT_WEIGHTS;
  double seconds = 2.0, truncation = 0.4;
  bool tf32 = false, bf16 = false;
};

void declare_biggan(CommandSpec command, BigGanBenchOptions& options) {
  add_device_option(command, options.device);
  command.integer("--batch", options.batch, "images per forward", 1, 65536);
  command.text("--config", options.config, "a converted .safetensors, or random-256 (seeded random weights)");
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
  command.number("--truncation", options.truncation, "z = truncated normal times t", 0.0, 1.0, true);
  command.flag("--tf32", options.tf32, "cuda: allow TF32 tensor-core math");
  command.flag("--bf16", options.bf16, "cuda: bf16 convolutions");
}

// Host conditions and statistics upload included; on CUDA the images stay on the device (as the loader uses them).
Throughput measure(BigGanWeights weights, const BigGanBackend& backend, const BigGanInputs& inputs, int batch,
                   double seconds, double& flops_per_image) {
  const int resolution = weights.config.output_dim;
  const std::size_t image_floats = static_cast<std::size_t>(batch) * 3 * resolution * resolution;
  BigGanGenerator generator(std::move(weights), backend);
  generator.reserve(batch);
  std::vector<float> host_images(backend.device == Device::Cpu ? image_floats : 0);
  DeviceBuffer device_images;
  if (backend.device == Device::Cuda) device_images = DeviceBuffer(image_floats * sizeof(float));
  float* images = backend.device == Device::Cpu ? host_images.data() : static_cast<float*>(device_images.data());
  const Throughput throughput = measure_throughput(seconds, [&] {
    generator.forward(batch, inputs, images);
    if (backend.device == Device::Cuda) cuda_synchronize();
    return batch;
  });
  flops_per_image = generator.last_forward_flops() / batch;
  return throughput;
}

int run_biggan(const BigGanBenchOptions& options) {
  const std::string& device = options.device;
  check_usage(device == "cuda" || (!options.tf32 && !options.bf16), "--tf32 and --bf16 apply to --device cuda only");
  if (device == "cuda") GENINT_CHECK(cuda_device_count() > 0, cuda_device_description());
  const int batch = options.batch;
  const double seconds = options.seconds;
  const double truncation = options.truncation;
  const std::string& path = options.config;
  const bool random = path == kRandom256;
  BigGanWeights weights = random ? random_biggan_weights(biggan_deep_256_config(), 1) : BigGanWeights::load(path);
  const BigGanConfig config = weights.config;
  const int resolution = config.output_dim;
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(batch));
  for (std::size_t index = 0; index < seeds.size(); ++index) seeds[index] = 1000 + index;
  const std::vector<float> latents = biggan_latents(seeds, config.z_dim, static_cast<float>(truncation));
  std::vector<float> classes(static_cast<std::size_t>(batch) * config.num_classes, 0.0f);
  for (int row = 0; row < batch; ++row) {
    classes[static_cast<std::size_t>(row) * config.num_classes + static_cast<std::size_t>(row % config.num_classes)] =
        1;
  }
  BigGanInputs inputs;
  inputs.latents = latents.data();
  inputs.class_vectors = classes.data();
  inputs.truncation = truncation;
  BigGanBackend backend;
  backend.device = device == "cuda" ? Device::Cuda : Device::Cpu;
  backend.precision = options.bf16   ? BigGanPrecision::Bf16
                      : options.tf32 ? BigGanPrecision::Tf32
                                     : BigGanPrecision::Float32;
  double flops_per_image = 0.0;  // counted by the generator from the layer shapes that ran
  const Throughput throughput = measure(std::move(weights), backend, inputs, batch, seconds, flops_per_image);
  const double images_per_second = throughput.per_second();
  print_json_line({{"bench", "biggan"},
                   {"device", device},
                   {"tf32", options.tf32},
                   {"bf16", options.bf16},
                   {"model", path},
                   {"weights", random ? "random" : "file"},
                   {"resolution", resolution},
                   {"channel_width", config.channel_width},
                   {"batch", batch},
                   {"truncation", truncation},
                   {"threads", omp_get_max_threads()},
                   {"images_per_s", images_per_second},
                   // --device cuda: the host thread's CPU time (launches, uploads, the wait), not the GPU's work
                   {"images_per_cpu_s", throughput.per_cpu_second()},
                   // 2 × multiply-adds of convs, linears and attention matmuls (genint's count of the shapes run)
                   {"gflop_per_image", flops_per_image / 1e9},
                   {"achieved_tflop_per_s", flops_per_image * images_per_second / 1e12}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "biggan",
                                    make_subcommand("BigGAN-deep forward images/s (a converted model or random-256)",
                                                    declare_biggan, run_biggan));

}  // namespace
}  // namespace genint::bench
