// genint-gan sample: writes generated images (observational or interventions) as PNG/JPEG in ImageFolder layout,
// plus samples.csv with each image's record; the same keys, sampler, generator and converter as the loader's source
// (gan/interventions/intervention_settings.h reads the keys for both).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <sstream>

#include "gan/biggan/biggan_generator.h"
#include "gan/cli/gan_command.h"
#include "gan/directions/seed_streams.h"
#include "gan/images/generated_image.h"
#include "gan/interventions/intervention_settings.h"
#include "nn/core/config_object.h"
#include "nn/core/error.h"
#include "nn/safetensors/safetensors_reader.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace genint::gan_cli {
namespace {

const char* const sample_usage =
    "usage: genint-gan sample --generator W.safetensors --count N --out DIR [--seed S] [--config FILE.json]\n"
    "         [--directions D] [--space observational|latent|latent_centred|activation|activation_centred]\n"
    "         [--truncation t] [--top-k k] [--step s] [--layer-begin b] [--layer-end e] [--classes 0,1,...]\n"
    "         [--class-folders NAME,...|--class-folders-from DIR] [--image-size N] [--format png|jpeg]\n"
    "         [--chunk N] [--threads N] [--quiet]\n"
    "  --config  a JSON object of the intervention source's keys (docs/c-api.md: space, directions, truncation,\n"
    "            top_k, step, layer_begin, layer_end, classes, label_map, label_count); options given here override\n"
    "            it; it may also carry 'generator'. Checked exactly as the loader checks a source entry.\n"
    "  --count   images in all, dealt to the drawn classes in turn (equal counts per class)\n"
    "  --seed    sample i has per-sample seed derive_seed(seed, i) (gan/directions/seed_streams.h), recorded\n"
    "  --class-folders       folder name of each dataset label, in label order (default: zero-padded numbers)\n"
    "  --class-folders-from  a class-folder tree (e.g. the training split) whose sorted folders name the labels\n"
    "  --image-size  side of the written images (default: the generator's resolution); resized as the loader does\n"
    "  --format      png (default: the exact uint8 sample the loader delivers) or jpeg (quality 90)\n"
    "Writes DIR/<class folder>/gen_NNNNNNN.<ext> and DIR/samples.csv (file,label,class,seed,truncation,space,\n"
    "layer_begin,layer_end,direction,step) and prints one JSON summary line. DIR must be empty or absent.\n";

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
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
nlohmann::json source_keys(const CommandOptions& options) {
  nlohmann::json keys =
      options.has("config") ? read_config_file(options.required_text("config")) : nlohmann::json::object();
  if (options.has("generator")) keys["generator"] = options.required_text("generator");
  for (const char* name : {"directions", "space"})
    if (options.has(name)) keys[name] = options.required_text(name);
  for (const char* name : {"truncation", "step"})
    if (options.has(name)) keys[name] = options.number(name, 0.0);
  const std::pair<const char*, const char*> integers[] = {
      {"top-k", "top_k"}, {"layer-begin", "layer_begin"}, {"layer-end", "layer_end"}};
  for (const auto& [option, key] : integers)
    if (options.has(option)) keys[key] = options.integer(option, 0);
  if (options.has("classes")) {
    keys["classes"] = nlohmann::json::array();
    for (const std::string& text : split_commas(options.required_text("classes"))) {
      std::size_t used = 0;
      int value = -1;
      try {
        value = std::stoi(text, &used);
      } catch (const std::exception&) {
        used = 0;
      }
      GENINT_CHECK(used == text.size(), "--classes: '" + text + "' is not a class number");
      keys["classes"].push_back(value);
    }
  }
  // The writer owns chunking and the device: the file's values for them would have no effect here.
  keys.erase("chunk");
  keys.erase("device");
  GENINT_CHECK(keys.contains("generator"), "give --generator (or 'generator' in --config)");
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

std::vector<std::string> class_folders(const CommandOptions& options, int label_count) {
  std::vector<std::string> folders;
  if (options.has("class-folders")) folders = split_commas(options.required_text("class-folders"));
  if (options.has("class-folders-from")) {
    GENINT_CHECK(folders.empty(), "give only one of --class-folders and --class-folders-from");
    const std::string root = options.required_text("class-folders-from");
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

struct WriteSettings {
  std::string out_dir;
  int image_size = 0;
  std::string extension;  // ".png" or ".JPEG"
  std::uint64_t seed = 0;
  int count = 0;
  int chunk = 32;
  bool quiet = false;
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
                  const WriteSettings& settings) {
  BigGanGenerator generator{BigGanWeights(intervention.weights)};
  const DirectionSet* directions = intervention.directions ? &*intervention.directions : nullptr;
  InterventionSampler sampler(generator.config(), directions, intervention.settings.intervention);
  GeneratedImageConverter converter(generator.resolution(), settings.image_size, GeneratedLayout::Uint8Hwc);
  std::vector<int> drawn = sampler.options().classes;
  if (drawn.empty())
    for (int index = 0; index < generator.config().num_classes; ++index) drawn.push_back(index);
  InterventionBatch batch;
  generator.reserve(settings.chunk);
  sampler.reserve(settings.chunk, batch);
  const auto space = sampler.options().space;
  if (space == InterventionSpace::Activation || space == InterventionSpace::ActivationCentred)
    generator.set_activation_hook(sampler.activation_hook(batch));
  const auto resolution = static_cast<std::size_t>(generator.resolution());
  std::vector<float> images(static_cast<std::size_t>(settings.chunk) * 3 * resolution * resolution);
  std::vector<std::uint8_t> pixels(converter.output_bytes());
  std::vector<std::uint64_t> seeds(static_cast<std::size_t>(settings.chunk));
  std::vector<int> classes(static_cast<std::size_t>(settings.chunk));
  std::ofstream csv(std::filesystem::path(settings.out_dir) / "samples.csv", std::ios::binary);
  csv << "file,label,class,seed,truncation,space,layer_begin,layer_end,direction,step\n";
  for (const std::string& folder : folders)
    std::filesystem::create_directories(std::filesystem::path(settings.out_dir) / folder);
  int skipped = 0;
  for (int first = 0; first < settings.count; first += settings.chunk) {
    const int size = std::min(settings.chunk, settings.count - first);
    for (int row = 0; row < size; ++row) {
      const auto index = static_cast<std::uint64_t>(first + row);
      seeds[static_cast<std::size_t>(row)] = derive_seed(settings.seed, index);
      classes[static_cast<std::size_t>(row)] = drawn[index % drawn.size()];
    }
    sampler.sample(seeds.data(), classes.data(), size, batch);
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
      write_image((std::filesystem::path(settings.out_dir) / file).string(), pixels.data(), converter.output_size(),
                  settings.extension);
      csv << record_row(file, label, record);
    }
    if (!settings.quiet) std::fprintf(stderr, "\rgenint-gan sample: %d / %d", first + size, settings.count);
  }
  if (!settings.quiet) std::fprintf(stderr, "\n");
  GENINT_CHECK(csv.good(), settings.out_dir + "/samples.csv: write failed");
  return skipped;
}

int run_sample(const std::vector<std::string>& arguments) {
  if (!arguments.empty() && arguments[0] == "--help") {
    std::fputs(sample_usage, stdout);
    return 0;
  }
  const CommandOptions options(
      arguments, {"generator", "directions",  "config",    "space",   "truncation",    "top-k",
                  "step",      "layer-begin", "layer-end", "classes", "class-folders", "class-folders-from",
                  "count",     "out",         "seed",      "threads", "image-size",    "format",
                  "chunk",     "quiet"});
  WriteSettings settings;
  settings.out_dir = options.required_text("out");
  settings.count = options.integer("count", 0);
  GENINT_CHECK(settings.count >= 1, "--count must be at least 1");
  settings.seed = static_cast<std::uint64_t>(std::stoull(options.text("seed", "0")));
  settings.chunk = options.integer("chunk", 32);
  GENINT_CHECK(settings.chunk >= 1 && settings.chunk <= 1024, "--chunk must be in [1, 1024]");
  settings.quiet = options.has("quiet");
  const std::string format = options.text("format", "png");
  GENINT_CHECK(format == "png" || format == "jpeg", "--format must be png or jpeg, got '" + format + "'");
  settings.extension = format == "png" ? ".png" : ".JPEG";
  const int threads = options.integer("threads", 0);
  GENINT_CHECK(threads >= 0, "--threads must be ≥ 0 (0: all cores)");
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
#endif
  GENINT_CHECK(!std::filesystem::exists(settings.out_dir) || std::filesystem::is_empty(settings.out_dir),
               "--out '" + settings.out_dir + "' is not empty");
  const nlohmann::json keys = source_keys(options);
  settings.image_size = options.integer("image-size", generator_resolution(keys["generator"].get<std::string>()));
  const LoadedIntervention intervention = load_keys(keys);
  int label_count = 0;
  for (int index = 0; index < intervention.weights.config.num_classes; ++index)
    label_count = std::max(label_count, intervention.settings.label_of(index) + 1);
  const std::vector<std::string> folders = class_folders(options, label_count);
  std::filesystem::create_directories(settings.out_dir);
  const auto start = std::chrono::steady_clock::now();
  const int skipped = write_samples(intervention, folders, settings);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::ordered_json summary = {{"out", settings.out_dir},
                                    {"written", settings.count - skipped},
                                    {"skipped_non_finite", skipped},
                                    {"space", intervention_space_name(intervention.settings.intervention.space)},
                                    {"seconds", seconds},
                                    {"images_per_second", (settings.count - skipped) / std::max(seconds, 1e-9)}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}

const GanCommandRegistrar registrar("sample",
                                    {"write generated images (ImageFolder layout) and their records", run_sample});

}  // namespace
}  // namespace genint::gan_cli
