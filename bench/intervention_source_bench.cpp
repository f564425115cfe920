// genint-bench gensource: images/s of the intervention source alone, one producer thread, as the loader drives
// it (chunks of requests → sampler → BigGAN-deep CPU forward → loader layout). One JSON line per run.
#include <omp.h>

#include <atomic>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_command.h"
#include "bench/json_line.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_discovery.h"
#include "loader/sources/intervention/intervention_source.h"
#include "loader/sources/source_statistics.h"

namespace genint::bench {
namespace {

// Without --directions, a closed-form directions file for the generator (instant) in a temp file.
class TemporaryDirections {
 public:
  explicit TemporaryDirections(const std::string& generator_path) {
    std::random_device device;
    path_ = (std::filesystem::temp_directory_path() /
             ("genint-gensource-bench-" + std::to_string(device()) + ".safetensors"))
                .string();
    const BigGanWeights weights = BigGanWeights::load(generator_path);
    ClosedFormOptions options;
    options.components = std::min(80, weights.config.z_dim);
    for (int index = 0; index < weights.config.num_classes; ++index) options.classes.push_back(index);
    options.generator_id = biggan_generator_id(generator_path);
    closed_form_directions(weights, options).write(path_);
  }
  ~TemporaryDirections() {
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }
  TemporaryDirections(const TemporaryDirections&) = delete;
  TemporaryDirections& operator=(const TemporaryDirections&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

struct GensourceBenchOptions {
  std::string generator = GENINT_GENSOURCE_DEFAULT_WEIGHTS;
  std::string directions;  // empty: closed-form directions made for the generator
  std::string space = "latent";
  int chunk = 8, size = 224;
  std::string layout = "uint8_hwc";
  double truncation = 0.5, seconds = 2.0;
};

void declare_gensource(CommandSpec command, GensourceBenchOptions& options) {
  command.text("--config", options.generator, "a converted BigGAN-deep .safetensors");
  command.text("--directions", options.directions,
               "a directions file (default: closed-form directions of the generator, made on the spot)");
  command.choice("--space", options.space, "intervention space",
                 {"observational", "latent", "latent_centred", "activation", "activation_centred"});
  command.integer("--chunk", options.chunk, "images per generator call", 1, 1024);
  command.integer("--size", options.size, "output side in pixels", 1, 4096);
  command.choice("--layout", options.layout, "sample layout", {"uint8_hwc", "float32_chw"});
  command.number("--truncation", options.truncation, "z = truncated normal times t", 0.0, 1.0, true);
  command.number("--seconds", options.seconds, "measured wall time", 0.0, 86400.0, true);
}

int run_gensource(const GensourceBenchOptions& options) {
  const std::string& generator = options.generator;
  const std::string& space = options.space;
  const int chunk = options.chunk, size = options.size;
  const std::string& layout = options.layout;
  std::unique_ptr<TemporaryDirections> made_directions;
  std::string directions = options.directions;
  if (space != "observational" && directions.empty()) {
    made_directions = std::make_unique<TemporaryDirections>(generator);
    directions = made_directions->path();
  }
  loader::LoaderConfig config;
  config.image_size = size;
  config.layout = layout == "uint8_hwc" ? loader::SampleLayout::Uint8Hwc : loader::SampleLayout::Float32Chw;
  loader::SourceSettings settings;
  settings.kind = loader::SourceKind::Intervention;
  settings.path = "gensource";
  settings.own_settings = {
      {"generator", generator}, {"space", space}, {"chunk", chunk}, {"truncation", options.truncation}};
  if (space != "observational") settings.own_settings["directions"] = directions;
  const auto source = make_intervention_source(config, settings);

  loader::SourceStatistics statistics;
  std::atomic<bool> stop{false};
  const auto producer = source->make_producer(0, loader::ProducerContext{&statistics, &stop});
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(chunk) * config.sample_bytes());
  std::vector<loader::SampleRecord> records(static_cast<std::size_t>(chunk));
  std::vector<loader::SampleRequest> requests(static_cast<std::size_t>(chunk));
  std::uint64_t position = 0;
  const double images_per_second = items_per_second(options.seconds, [&] {
    for (std::size_t index = 0; index < requests.size(); ++index, ++position) {
      requests[index] = loader::SampleRequest{};
      requests[index].position = position;
      requests[index].seed = 0x5eed0000 + position;
      requests[index].pixels = pixels.data() + index * config.sample_bytes();
      requests[index].record = &records[index];
    }
    producer->produce(requests.data(), requests.size());
    return chunk;
  });
  print_json_line({{"bench", "gensource"},
                   {"device", "cpu"},
                   {"model", generator},
                   {"space", space},
                   {"chunk", chunk},
                   {"image_size", size},
                   {"layout", layout},
                   {"producer_threads", 1},
                   {"openmp_threads", omp_get_max_threads()},
                   {"images_per_s", images_per_second}});
  return 0;
}

const SubcommandRegistrar registrar(bench_commands(), "gensource",
                                    make_subcommand("intervention source alone, one producer: images/s",
                                                    declare_gensource, run_gensource));

}  // namespace
}  // namespace genint::bench
