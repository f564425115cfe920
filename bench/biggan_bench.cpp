// genint-bench biggan: BigGAN-deep forward images/s on the CPU for a converted model (tools/convert_biggan.py);
// by default the tiny golden model, so it runs anywhere. One JSON line per run.
#include <omp.h>

#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "gan/biggan/biggan_generator.h"
#include "gan/sampling/truncated_normal.h"
#include "nn/core/error.h"

namespace genint::bench {
namespace {

int run_biggan(const std::vector<std::string>& arguments) {
  const BenchOptions options(arguments, {"device", "batch", "config", "seconds", "truncation"});
  const std::string device = options.text("device", "cpu");
  GENINT_CHECK(device == "cpu", "--device " + device + ": only the CPU forward of BigGAN-deep exists so far");
  const int batch = options.integer("batch", 8);
  GENINT_CHECK(batch > 0, "--batch must be positive");
  const double seconds = options.number("seconds", 2.0);
  const double truncation = options.number("truncation", 0.4);
  const std::string path = options.text("config", GENINT_BIGGAN_DEFAULT_WEIGHTS);
  BigGanGenerator generator = BigGanGenerator::load(path);
  const BigGanConfig& config = generator.config();
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(batch));
  for (std::size_t index = 0; index < seeds.size(); ++index) seeds[index] = 1000 + index;
  const std::vector<float> latents = biggan_latents(seeds, config.z_dim, static_cast<float>(truncation));
  std::vector<float> classes(static_cast<std::size_t>(batch) * config.num_classes, 0.0f);
  for (int row = 0; row < batch; ++row) {
    classes[static_cast<std::size_t>(row) * config.num_classes + static_cast<std::size_t>(row % config.num_classes)] =
        1;
  }
  std::vector<float> images(static_cast<std::size_t>(batch) * 3 * generator.resolution() * generator.resolution());
  BigGanInputs inputs;
  inputs.latents = latents.data();
  inputs.class_vectors = classes.data();
  inputs.truncation = truncation;
  generator.reserve(batch);
  const double images_per_second = items_per_second(seconds, [&] {
    generator.forward(batch, inputs, images.data());
    return batch;
  });
  print_json_line({{"bench", "biggan"},
                   {"device", device},
                   {"model", path},
                   {"resolution", generator.resolution()},
                   {"channel_width", config.channel_width},
                   {"batch", batch},
                   {"truncation", truncation},
                   {"threads", omp_get_max_threads()},
                   {"images_per_s", images_per_second}});
  return 0;
}

const BenchCommandRegistrar registrar("biggan", {"BigGAN-deep CPU forward images/s (--device cpu --batch N "
                                                 "--config converted.safetensors --truncation T --seconds S)",
                                                 run_biggan});

}  // namespace
}  // namespace genint::bench
