// genint-gan sample: writes generated images (observational or interventions) as PNG/JPEG in ImageFolder layout,
// plus samples.csv with each image's record; the same keys, sampler, generator and converter as the loader's source
// (gan/interventions/intervention_settings.h reads the keys for both).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "gan/biggan/biggan_generator.h"
#include "gan/cli/gan_command.h"
#include "gan/directions/seed_streams.h"
#include "gan/images/generated_image.h"
#include "gan/interventions/intervention_settings.h"
#include "nn/core/config_object.h"
#include "nn/core/error.h"
#include "nn/core/parse_number.h"
#include "nn/safetensors/safetensors_reader.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace genint::gan_cli {
namespace {

struct SampleOptions {
  std::string generator, directions, config, space, class_folders_from, out, format = "png", seeds_file;
  double truncation = 1.0, step = 1.0;
  int top_k = 1, layer_begin = 0, layer_end = -1;
  std::vector<int> classes;
  std::vector<std::string> class_folders;
  int count = 0, threads = 0, image_size = 0, chunk = 32;
  std::uint64_t seed = 0;
  bool quiet = false;
  std::map<std::string, OptionSpec> key_options;  // intervention keys given here override --config's
};

void declare_sample_keys(CommandSpec command, SampleOptions& options) {
  const std::string inherited = "(default: --config's, else the source's)";
  // These have no default of their own: --config's value, else the source's, applies.
  const auto inherit = [](OptionSpec option) { return option.default_text(""); };
  options.key_options = {
      {"generator", command.text("--generator", options.generator, "a converted BigGAN-deep (W.safetensors)")},
      {"directions", command.text("--directions", options.directions, "a directions file " + inherited)},
      {"space",
       inherit(command.choice("--space", options.space, "intervention space " + inherited,
                              {"observational", "latent", "latent_centred", "activation", "activation_centred"}))},
      {"truncation",
       inherit(command.number("--truncation", options.truncation, "z scale " + inherited, 0.0, 1.0, true))},
      {"top_k", inherit(command.integer("--top-k", options.top_k, "directions drawn from " + inherited, 1, 1'000'000))},
      {"step", inherit(command.number("--step", options.step, "step range " + inherited, 0.0, 1e6))},
      {"layer_begin",
       inherit(command.integer("--layer-begin", options.layer_begin, "first layer " + inherited, 0, 1'000'000))},
      {"layer_end",
       inherit(command.integer("--layer-end", options.layer_end, "end layer " + inherited, -1, 1'000'000))},
      {"classes", inherit(command.integer_list("--classes", options.classes, "generator classes drawn " + inherited, 0,
                                               1'000'000))}};
}

void declare_sample(CommandSpec command, SampleOptions& options) {
  declare_sample_keys(command, options);
  command.text("--config", options.config, "a JSON file of intervention source keys (see below)");
  command
      .integer("--count", options.count, "images in all, dealt to the drawn classes in turn", 1,
               std::numeric_limits<std::int32_t>::max())
      .required()
      .default_text("");
  command.text("--out", options.out, "output folder; must be empty or absent").required();
  OptionSpec seed = command.seed("--seed", options.seed, "sample i gets the seed derive_seed(seed, i), recorded");
  command.text("--seeds", options.seeds_file, "sample i gets line i's seed and the class it draws (see below)")
      .excludes(seed);
  OptionSpec folders =
      command.word_list("--class-folders", options.class_folders, "folder name of each dataset label, in label order")
          .default_text("zero-padded numbers");
  command
      .text("--class-folders-from", options.class_folders_from,
            "a class-folder tree (e.g. the train split): its sorted folders name the labels")
      .excludes(folders);
  command.integer("--image-size", options.image_size, "side of the written images, resized as the loader does", 1, 8192)
      .default_text("the generator's resolution");
  command.choice("--format", options.format, "png: the loader's exact uint8 sample; jpeg: quality 90", {"png", "jpeg"});
  command.integer("--chunk", options.chunk, "images per generator call", 1, 1024);
  command.integer("--threads", options.threads, "OpenMP threads (0: all cores)", 0, 4096);
  command.flag("--quiet", options.quiet, "no progress on stderr");
  command.footer(
      "--config: a JSON object of the intervention source's keys (docs/c-api.md: space, directions, truncation,\n"
      "top_k, step, layer_begin, layer_end, classes, label_map, label_count; it may carry 'generator'), checked\n"
      "exactly as the loader checks a source entry; the options above override it. Seeds: gan/directions/\n"
      "seed_streams.h. Writes DIR/<class folder>/gen_NNNNNNN.<ext> and DIR/samples.csv (file,label,class,seed,\n"
      "truncation,space,layer_begin,layer_end,direction,step) and prints one JSON summary line.\n"
      "--seeds FILE: one unsigned seed per line (at least --count); sample i gets line i's seed and the class the\n"
      "sampler draws from it, as the loader's transferred source draws its generated styles: a style's recorded\n"
      "latent_seed regenerates that style image (classes are not dealt in turn).");
}

nlohmann::json read_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  GENINT_CHECK(file.good(), "--config: cannot open '" + path + "'");
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(file);
  } catch (const std::exception& error) {
    throw Error("--config '" + path + "': not JSON: " + error.what());
  }
  GENINT_CHECK(config.is_object(), "--config '" + path + "': must hold one JSON object of intervention source keys");
  return config;
}

// The intervention source's own keys: the config file first, then each individual option on top.
nlohmann::json source_keys(const SampleOptions& options) {
  nlohmann::json keys = !options.config.empty() ? read_config_file(options.config) : nlohmann::json::object();
  const auto given = [&options](const char* key) { return options.key_options.at(key).given(); };
  if (given("generator")) keys["generator"] = options.generator;
  if (given("directions")) keys["directions"] = options.directions;
  if (given("space")) keys["space"] = options.space;
  if (given("truncation")) keys["truncation"] = options.truncation;
  if (given("step")) keys["step"] = options.step;
  if (given("top_k")) keys["top_k"] = options.top_k;
  if (given("layer_begin")) keys["layer_begin"] = options.layer_begin;
  if (given("layer_end")) keys["layer_end"] = options.layer_end;
  if (given("classes")) keys["classes"] = options.classes;
  // The writer owns chunking and the device: the file's values for them would have no effect here.
  keys.erase("chunk");
  keys.erase("device");
  check_usage(keys.contains("generator"), "give --generator (or 'generator' in --config)");
  return keys;
}

// Reads, loads and checks the keys as the loader's intervention source does (gan's read_intervention).
LoadedIntervention load_keys(const nlohmann::json& keys) {
  try {
    ConfigObject object(keys, "sample");
    return read_intervention(object);
  } catch (const ConfigError& error) {
    throw Error(std::string("intervention settings: ") + error.what());
  }
}

std::vector<std::string> class_folders(const SampleOptions& options, int label_count) {
  std::vector<std::string> folders = options.class_folders;
  if (!options.class_folders_from.empty()) {
    const std::string& root = options.class_folders_from;
    GENINT_CHECK(std::filesystem::is_directory(root), "--class-folders-from: '" + root + "' is not a folder");
    for (const auto& entry : std::filesystem::directory_iterator(root))
      if (entry.is_directory() && entry.path().filename().string().front() != '.')
        folders.push_back(entry.path().filename().string());
    std::sort(folders.begin(), folders.end());  // byte-wise, as ImageFolder numbers classes
  }
  if (folders.empty()) {
    const int width = static_cast<int>(std::to_string(std::max(label_count - 1, 0)).size());
    for (int label = 0; label < label_count; ++label) {
      std::string name = std::to_string(label);
      folders.push_back(std::string(static_cast<std::size_t>(width) - name.size(), '0') + name);
    }
  }
  GENINT_CHECK(static_cast<int>(folders.size()) >= label_count, std::to_string(folders.size()) + " class folders for " +
                                                                    std::to_string(label_count) +
                                                                    " labels: every drawn label needs a folder");
  return folders;
}

// The generator's output side, from its metadata alone (the tensors are read once, by load_keys).
int generator_resolution(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const auto config = file.metadata().find("config");
  GENINT_CHECK(config != file.metadata().end(), path + ": not a converted BigGAN-deep (no \"config\" metadata)");
  return BigGanConfig::from_json(config->second, path).output_dim;
}

// What run_sample resolves from the options before writing.
struct WriteSettings {
  int image_size = 0;
  std::string extension;             // ".png" or ".JPEG"
  std::vector<std::uint64_t> seeds;  // --seeds: explicit per-sample seeds, classes drawn by the sampler
};

void write_image(const std::string& path, const std::uint8_t* rgb, int size, const std::string& extension) {
  const cv::Mat view(size, size, CV_8UC3, const_cast<std::uint8_t*>(rgb));
  cv::Mat bgr;
  cv::cvtColor(view, bgr, cv::COLOR_RGB2BGR);
  const std::vector<int> parameters = extension == ".png" ? std::vector<int>{cv::IMWRITE_PNG_COMPRESSION, 3}
                                                          : std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 90};
  GENINT_CHECK(cv::imwrite(path, bgr, parameters), "cannot write '" + path + "'");
}

std::string record_row(const std::string& file, std::int32_t label, const InterventionRecord& record) {
  char numbers[256];
  std::snprintf(numbers, sizeof numbers, ",%d,%d,%llu,%.6g,%s,%d,%d,%d,%.6g\n", label, record.class_index,
                static_cast<unsigned long long>(record.seed), static_cast<double>(record.truncation),
                intervention_space_name(record.space), record.layer_begin, record.layer_end, record.direction,
                static_cast<double>(record.step));
  return file + numbers;
}

// Chunk by chunk: seeds → sampler (classes dealt in turn) → generator → converter → files and CSV rows.
int write_samples(const LoadedIntervention& intervention, const std::vector<std::string>& folders,
                  const SampleOptions& options, const WriteSettings& settings) {
  BigGanGenerator generator{BigGanWeights(intervention.weights)};
  const DirectionSet* directions = intervention.directions ? &*intervention.directions : nullptr;
  InterventionSampler sampler(generator.config(), directions, intervention.settings.intervention);
  GeneratedImageConverter converter(generator.resolution(), settings.image_size, GeneratedLayout::Uint8Hwc);
  const std::vector<int>& drawn = sampler.classes();
  InterventionBatch batch;
  generator.reserve(options.chunk);
  sampler.reserve(options.chunk, batch);
  if (is_activation_space(sampler.options().space)) generator.set_activation_hook(sampler.activation_hook(batch));
  const auto resolution = static_cast<std::size_t>(generator.resolution());
  std::vector<float> images(static_cast<std::size_t>(options.chunk) * 3 * resolution * resolution);
  std::vector<std::uint8_t> pixels(converter.output_bytes());
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(options.chunk));
  std::vector<int> classes(static_cast<std::size_t>(options.chunk));
  std::ofstream csv(std::filesystem::path(options.out) / "samples.csv", std::ios::binary);
  csv << "file,label,class,seed,truncation,space,layer_begin,layer_end,direction,step\n";
  for (const std::string& folder : folders)
    std::filesystem::create_directories(std::filesystem::path(options.out) / folder);
  int skipped = 0;
  for (int first = 0; first < options.count; first += options.chunk) {
    const int size = std::min(options.chunk, options.count - first);
    for (int row = 0; row < size; ++row) {
      const auto index = static_cast<std::uint64_t>(first + row);
      seeds[static_cast<std::size_t>(row)] =
          settings.seeds.empty() ? derive_seed(options.seed, index) : settings.seeds[static_cast<std::size_t>(index)];
      classes[static_cast<std::size_t>(row)] = drawn[index % drawn.size()];
    }
    sampler.sample(seeds.data(), settings.seeds.empty() ? classes.data() : nullptr, size, batch);
    generator.forward(size, generator_inputs(batch), images.data());
    for (int row = 0; row < size; ++row) {
      const InterventionRecord& record = batch.records[static_cast<std::size_t>(row)];
      const std::int32_t label = intervention.settings.label_of(record.class_index);
      char name[32];
      std::snprintf(name, sizeof name, "gen_%07d", first + row);
      const std::string file = folders[static_cast<std::size_t>(label)] + "/" + name + settings.extension;
      if (!converter.convert(images.data() + static_cast<std::size_t>(row) * 3 * resolution * resolution,
                             pixels.data())) {
        ++skipped;  // a non-finite generator output has no image; the loader skips it too
        continue;
      }
      write_image((std::filesystem::path(options.out) / file).string(), pixels.data(), converter.output_size(),
                  settings.extension);
      csv << record_row(file, label, record);
    }
    if (!options.quiet) std::fprintf(stderr, "\rgenint-gan sample: %d / %d", first + size, options.count);
  }
  if (!options.quiet) std::fprintf(stderr, "\n");
  GENINT_CHECK(csv.good(), options.out + "/samples.csv: write failed");
  return skipped;
}

// --seeds: unsigned decimal seeds, one per line (blank lines ignored), at least `count` of them.
std::vector<std::uint64_t> read_seeds(const std::string& path, int count) {
  std::ifstream file(path, std::ios::binary);
  GENINT_CHECK(file.good(), "--seeds: cannot open '" + path + "'");
  std::vector<std::uint64_t> seeds;
  for (std::string line; std::getline(file, line);) {
    if (line.empty()) continue;
    const std::optional<std::uint64_t> value = parse_unsigned(line);
    GENINT_CHECK(value.has_value(), "--seeds '" + path + "' line " + std::to_string(seeds.size() + 1) + ": '" + line +
                                        "' is not an unsigned 64-bit seed");
    seeds.push_back(*value);
  }
  GENINT_CHECK(static_cast<int>(seeds.size()) >= count, "--seeds '" + path + "' holds " + std::to_string(seeds.size()) +
                                                            " seeds for --count " + std::to_string(count));
  seeds.resize(static_cast<std::size_t>(count));
  return seeds;
}

int run_sample(const SampleOptions& options) {
  WriteSettings settings;
  if (!options.seeds_file.empty()) settings.seeds = read_seeds(options.seeds_file, options.count);
  settings.extension = options.format == "png" ? ".png" : ".JPEG";
#ifdef _OPENMP
  if (options.threads > 0) omp_set_num_threads(options.threads);
#endif
  GENINT_CHECK(!std::filesystem::exists(options.out) || std::filesystem::is_empty(options.out),
               "--out '" + options.out + "' is not empty");
  const nlohmann::json keys = source_keys(options);
  settings.image_size =
      options.image_size != 0 ? options.image_size : generator_resolution(keys["generator"].get<std::string>());
  const LoadedIntervention intervention = load_keys(keys);
  int label_count = 0;
  for (int index = 0; index < intervention.weights.config.num_classes; ++index)
    label_count = std::max(label_count, intervention.settings.label_of(index) + 1);
  const std::vector<std::string> folders = class_folders(options, label_count);
  std::filesystem::create_directories(options.out);
  const auto start = std::chrono::steady_clock::now();
  const int skipped = write_samples(intervention, folders, options, settings);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json summary = {{"out", options.out},
                                    {"written", options.count - skipped},
                                    {"skipped_non_finite", skipped},
                                    {"space", intervention_space_name(intervention.settings.intervention.space)},
                                    {"seconds", seconds},
                                    {"images_per_second", (options.count - skipped) / std::max(seconds, 1e-9)}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}

const SubcommandRegistrar registrar(gan_commands(), "sample",
                                    make_subcommand("write generated images (ImageFolder layout) and their records",
                                                    declare_sample, run_sample));

}  // namespace
}  // namespace genint::gan_cli
