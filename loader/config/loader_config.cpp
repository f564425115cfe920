// Config parsing and validation. Batch composition is resolved here: counts, or fractions of
// batch_size that must give whole numbers, summing to batch_size exactly.
#include "loader/config/loader_config.h"

#include <cmath>
#include <fstream>
#include <set>
#include <sstream>

#include "nn/core/config_object.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

constexpr int max_threads_per_source = 256;
constexpr int max_batch_size = 1 << 20;
constexpr double max_mixup_alpha = 1e4;  // Beta(1e4, 1e4) is already λ = 0.5 ± 0.004
const std::set<std::string> generic_source_keys = {"kind", "count", "fraction", "weight", "threads"};

SourceSettings parse_source(const nlohmann::json& value, const std::string& path, int batch_size) {
  ConfigObject object(value, path);
  SourceSettings settings;
  settings.path = path;
  settings.kind = as_config_error(object, "kind", [&] { return parse_source_kind(object.required_text("kind")); });
  if (object.has("count") == object.has("fraction"))
    throw ConfigError(object.field("count"), "give exactly one of 'count' and 'fraction'");
  if (object.has("count")) {
    settings.count = static_cast<int>(object.required_integer("count", 1, max_batch_size));
  } else {
    if (batch_size == 0) throw ConfigError(object.field("fraction"), "a fraction needs a top-level 'batch_size'");
    const double fraction = object.number("fraction", 0.0, 0.0, 1.0);
    const double count = fraction * batch_size;
    // Fractions must resolve exactly: 0.2 × 320 = 64 is fine, 0.3 × 320 = 96 too, 0.1 × 256 = 25.6 is not.
    if (std::fabs(count - std::round(count)) > 1e-6 || std::round(count) < 1)
      throw ConfigError(object.field("fraction"), std::to_string(fraction) + " × batch_size " +
                                                      std::to_string(batch_size) + " = " + std::to_string(count) +
                                                      " is not a whole, positive number of samples");
    settings.count = static_cast<int>(std::lround(count));
  }
  settings.weight = static_cast<float>(object.number("weight", 1.0, 0.0, 1e6));
  settings.threads = static_cast<int>(object.integer("threads", 1, 1, max_threads_per_source));
  // The rest belongs to the source's factory, which rejects what it does not know.
  for (const auto& item : value.items())
    if (generic_source_keys.count(item.key()) == 0) settings.own_settings[item.key()] = item.value();
  return settings;
}

void parse_image(ConfigObject image, LoaderConfig& config) {
  config.image_size = static_cast<int>(image.integer("size", 224, 1, 4096));
  config.layout = image.choice("layout", "uint8_hwc", {"uint8_hwc", "float32_chw"}) == "uint8_hwc"
                      ? SampleLayout::Uint8Hwc
                      : SampleLayout::Float32Chw;
  image.reject_unknown_keys();
}

void parse_shard(ConfigObject shard, LoaderConfig& config) {
  config.shard_world_size = static_cast<int>(shard.integer("world_size", 1, 1, 1 << 20));
  config.shard_rank = static_cast<int>(shard.integer("rank", 0, 0, 1 << 20));
  if (config.shard_rank >= config.shard_world_size)
    throw ConfigError(shard.field("rank"), std::to_string(config.shard_rank) + " is not below world_size " +
                                               std::to_string(config.shard_world_size));
  shard.reject_unknown_keys();
}

// Only the form is checked here; whether this build and machine have the device is checked when the loader
// is built (make_loader_pipeline), so a config can be validated on a machine without a GPU.
void parse_output(ConfigObject output, LoaderConfig& config) {
  config.output_device =
      output.choice("device", "cpu", {"cpu", "cuda"}) == "cuda" ? OutputDevice::Cuda : OutputDevice::Host;
  if (output.has("device_index")) {
    if (config.output_device != OutputDevice::Cuda)
      throw ConfigError(output.field("device_index"), "applies only to \"device\": \"cuda\"");
    config.output_device_index = static_cast<int>(output.integer("device_index", 0, 0, 1023));
  }
  output.reject_unknown_keys();
}

// "mixup": {"alpha": α}. α is required (no silent default) and must be positive: Beta(α, α) is undefined at 0.
void parse_mixup(ConfigObject mixup, LoaderConfig& config) {
  if (!mixup.has("alpha"))
    throw ConfigError(mixup.field("alpha"), "is required: λ ~ Beta(alpha, alpha) (the Mixup paper uses 0.4)");
  const double alpha = mixup.number("alpha", 0.0, 0.0, max_mixup_alpha);
  if (!(alpha > 0.0))
    throw ConfigError(mixup.field("alpha"),
                      "must be above 0 (Beta(alpha, alpha) needs alpha > 0); to turn Mixup off leave out \"mixup\"");
  config.mixup_alpha = alpha;
  mixup.reject_unknown_keys();
}

// Mixup pairs samples within each natural source (docs/c-api.md says why): it needs one with two samples or more.
void check_mixup_has_pairs(const LoaderConfig& config) {
  if (config.mixup_alpha <= 0.0) return;
  for (const SourceSettings& source : config.sources)
    if (source.kind == SourceKind::Natural && source.count >= 2) return;
  throw ConfigError("mixup",
                    "pairs samples within a natural source, and no natural source has 2 samples or more "
                    "per batch");
}

}  // namespace

std::size_t LoaderConfig::sample_bytes() const {
  const std::size_t values =
      std::size_t{3} * static_cast<std::size_t>(image_size) * static_cast<std::size_t>(image_size);
  return layout == SampleLayout::Uint8Hwc ? values : values * sizeof(float);
}

LoaderConfig parse_loader_config(const nlohmann::json& json) {
  ConfigObject root(json, "");
  LoaderConfig config;
  config.seed = root.unsigned_integer("seed", 0);
  config.deterministic = root.boolean("deterministic", true);
  config.batch_size = static_cast<int>(root.integer("batch_size", 0, 1, max_batch_size));
  if (root.has("image")) parse_image(root.object("image"), config);
  if (root.has("shard")) parse_shard(root.object("shard"), config);
  if (root.has("output")) parse_output(root.object("output"), config);
  if (root.has("mixup")) parse_mixup(root.object("mixup"), config);
  config.drop_last = root.boolean("drop_last", true);
  config.batches_in_flight = static_cast<int>(root.integer("batches_in_flight", 4, 2, 64));
  config.pool_batches = static_cast<int>(root.integer("pool_batches", 2, 1, 64));
  const std::string memory = root.choice("host_memory", "auto", {"auto", "pinned", "pageable"});
  config.host_memory = memory == "auto"     ? HostMemoryKind::Auto
                       : memory == "pinned" ? HostMemoryKind::Pinned
                                            : HostMemoryKind::Pageable;
  const nlohmann::json& sources = root.array("sources");
  if (sources.empty()) throw ConfigError("sources", "needs at least one source");
  for (std::size_t index = 0; index < sources.size(); ++index)
    config.sources.push_back(parse_source(sources[index], "sources[" + std::to_string(index) + "]", config.batch_size));
  root.reject_unknown_keys();

  std::int64_t total = 0;
  for (const SourceSettings& source : config.sources) total += source.count;
  if (config.batch_size == 0) {
    if (total > max_batch_size)
      throw ConfigError("sources", "counts add up to more than " + std::to_string(max_batch_size));
    config.batch_size = static_cast<int>(total);
  } else if (total != config.batch_size) {
    throw ConfigError("sources", "counts add up to " + std::to_string(total) + ", not batch_size " +
                                     std::to_string(config.batch_size));
  }
  check_mixup_has_pairs(config);
  return config;
}

LoaderConfig parse_loader_config_text(const std::string& text) {
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& error) {
    throw ConfigError("(root)", std::string("is not valid JSON: ") + error.what());
  }
  return parse_loader_config(json);
}

LoaderConfig parse_loader_config_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ConfigError("(file)", "cannot open config file '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw ConfigError("(file)", "cannot read config file '" + path + "'");
  return parse_loader_config_text(text.str());
}

}  // namespace genint::loader
