// An intervention's keys: read strictly (ConfigError names "<path>.<key>"), then checked against the generator and
// directions files once they are loaded, and against the sampler.
#include "gan/interventions/intervention_settings.h"

#include <algorithm>
#include <limits>

#include "nn/core/error.h"
#include "nn/core/parse_number.h"

namespace genint {
namespace {

// The keys as written: what they need from the files is checked once those are loaded.
struct InterventionKeys {
  InterventionSettings settings;
  bool top_k_given = false;
  bool classes_given = false;
  nlohmann::json label_map;      // null when absent
  std::int64_t label_count = 0;  // 0: the dataset's number of labels is not known
};

std::int64_t json_integer(const nlohmann::json& value, const std::string& field, std::int64_t min, std::int64_t max) {
  if (!value.is_number_integer())
    throw ConfigError(field, "must be an integer, got " + json_type_name(value) + " " + value.dump());
  const auto number = value.get<std::int64_t>();
  if (number < min || number > max)
    throw ConfigError(
        field, "must be in [" + std::to_string(min) + ", " + std::to_string(max) + "], got " + std::to_string(number));
  return number;
}

InterventionKeys read_intervention_keys(ConfigObject& object) {
  InterventionKeys parsed;
  InterventionSettings& settings = parsed.settings;
  InterventionOptions& options = settings.intervention;
  settings.generator_path = object.required_text("generator");
  const std::string space = object.choice(
      "space", "latent", {"observational", "latent", "latent_centred", "activation", "activation_centred"});
  options.space = parse_intervention_space(space);
  if (options.space == InterventionSpace::Observational) {
    object.reject_inapplicable({"directions", "top_k", "step", "layer_begin", "layer_end"},
                               "with space 'observational' (plain samples, no direction is applied)");
  } else {
    settings.directions_path = object.required_text("directions");
    parsed.top_k_given = object.has("top_k");
    options.top_k = static_cast<int>(object.integer("top_k", 1, 1, 1'000'000));
    options.step_range = object.number("step", 1.0, 0.0, 1e6);
  }
  if (is_activation_space(options.space)) {
    object.reject_inapplicable({"layer_begin", "layer_end"},
                               "with an activation space (the directions file's layer is the one edited)");
  } else {
    options.layer_begin = static_cast<int>(object.integer("layer_begin", 0, 0, 1'000'000));
    options.layer_end = static_cast<int>(object.integer("layer_end", -1, -1, 1'000'000));
  }
  options.truncation = object.number("truncation", 1.0, std::numeric_limits<double>::min(), 1.0);
  if (object.has("classes")) {
    parsed.classes_given = true;
    const nlohmann::json& classes = object.array("classes");
    if (classes.empty()) throw ConfigError(object.field("classes"), "must list at least one class (omit it for all)");
    for (std::size_t index = 0; index < classes.size(); ++index)
      options.classes.push_back(static_cast<int>(
          json_integer(classes[index], object.field("classes") + "[" + std::to_string(index) + "]", 0, 1'000'000)));
  }
  if (object.has("label_map")) {
    parsed.label_map = object.json().at("label_map");
    // Marks the key read; anything but an array or an object is refused with its type.
    if (parsed.label_map.is_array()) {
      object.array("label_map");
    } else {
      object.object("label_map");
    }
  }
  parsed.label_count = object.integer("label_count", 0, 1, std::numeric_limits<std::int32_t>::max());
  return parsed;
}

// label_map as [num_classes] labels (−1: not in the dataset) or {"<class>": label}; identity when absent.
std::vector<std::int32_t> resolve_label_map(const InterventionKeys& parsed, const ConfigObject& object, int class_count,
                                            std::vector<int>& classes) {
  const std::string field = object.field("label_map");
  std::vector<std::int32_t> labels;
  if (parsed.label_map.is_null()) return labels;
  labels.assign(static_cast<std::size_t>(class_count), -1);
  const std::int64_t max_label = std::numeric_limits<std::int32_t>::max();
  if (parsed.label_map.is_array()) {
    if (parsed.label_map.size() != static_cast<std::size_t>(class_count))
      throw ConfigError(field, "has " + std::to_string(parsed.label_map.size()) + " entries; the generator has " +
                                   std::to_string(class_count) + " classes (use an object to map only some)");
    for (std::size_t index = 0; index < labels.size(); ++index) {
      labels[index] = static_cast<std::int32_t>(
          json_integer(parsed.label_map[index], field + "[" + std::to_string(index) + "]", -1, max_label));
      // Without an explicit class list, the classes with a label are the ones drawn.
      if (!parsed.classes_given && labels[index] >= 0) classes.push_back(static_cast<int>(index));
    }
    if (classes.empty()) throw ConfigError(field, "maps no class to a label");
    return labels;
  }
  for (const auto& [key, value] : parsed.label_map.items()) {
    const std::optional<std::int64_t> class_index = parse_integer(key);
    if (!class_index || *class_index < 0 || *class_index >= class_count)
      throw ConfigError(field + "." + key,
                        "keys must be generator classes in [0, " + std::to_string(class_count) + ")");
    labels[static_cast<std::size_t>(*class_index)] =
        static_cast<std::int32_t>(json_integer(value, field + "." + key, 0, max_label));
    // Without an explicit class list, a partial map says which classes to draw.
    if (!parsed.classes_given) classes.push_back(static_cast<int>(*class_index));
  }
  if (classes.empty()) throw ConfigError(field, "maps no class");
  std::sort(classes.begin(), classes.end());
  return labels;
}

// Every class that can be drawn has a dataset label, below label_count when that is known.
void check_labels(const InterventionKeys& parsed, const ConfigObject& object, int class_count,
                  const InterventionSettings& settings) {
  std::vector<int> drawn = settings.intervention.classes;
  if (drawn.empty())
    for (int index = 0; index < class_count; ++index) drawn.push_back(index);
  for (int class_index : drawn) {
    if (class_index >= class_count)
      throw ConfigError(object.field("classes"), "class " + std::to_string(class_index) +
                                                     " is outside the generator's [0, " + std::to_string(class_count) +
                                                     ")");
    const std::int32_t label = settings.label_of(class_index);
    const std::string field = settings.label_of_class.empty() ? object.field("classes") : object.field("label_map");
    if (label < 0)
      throw ConfigError(field, "generator class " + std::to_string(class_index) + " is drawn but has no label");
    if (parsed.label_count > 0 && label >= parsed.label_count)
      throw ConfigError(field, "generator class " + std::to_string(class_index) + " maps to label " +
                                   std::to_string(label) + ", outside the dataset's " +
                                   std::to_string(parsed.label_count) + " labels (label_count)");
  }
}

// The hash part of a generator id ("<file name>:fnv1a64:<hash>"): a copied or renamed file is the same model.
std::string generator_hash(const std::string& generator_id) {
  const std::size_t colon = generator_id.rfind(':');
  return colon == std::string::npos ? generator_id : generator_id.substr(colon + 1);
}

void check_directions(InterventionKeys& parsed, const ConfigObject& object, const BigGanConfig& config,
                      const DirectionSet& directions) {
  InterventionOptions& options = parsed.settings.intervention;
  if (directions.latent_dimension != config.z_dim)
    throw ConfigError(object.field("directions"), "'" + parsed.settings.directions_path + "' has latent dimension " +
                                                      std::to_string(directions.latent_dimension) +
                                                      ", the generator's z_dim is " + std::to_string(config.z_dim));
  if (!directions.generator_id.empty()) {
    const std::string generator_id = biggan_generator_id(parsed.settings.generator_path);
    if (generator_hash(generator_id) != generator_hash(directions.generator_id))
      throw ConfigError(object.field("directions"), "'" + parsed.settings.directions_path +
                                                        "' was made for generator " + directions.generator_id +
                                                        ", not " + generator_id);
  }
  // The paper's k = 60, or all components when the file has fewer.
  if (!parsed.top_k_given) options.top_k = std::min(60, directions.components);
  if (options.top_k > directions.components)
    throw ConfigError(object.field("top_k"), std::to_string(options.top_k) + " exceeds the " +
                                                 std::to_string(directions.components) + " components of '" +
                                                 parsed.settings.directions_path + "'");
}

void check_layer_range(const InterventionOptions& options, const ConfigObject& object, const BigGanConfig& config) {
  if (!is_latent_space(options.space)) return;
  const int latents = config.latent_count();
  const int end = options.layer_end < 0 ? latents : options.layer_end;
  if (end > latents)
    throw ConfigError(object.field("layer_end"), std::to_string(end) + " exceeds the generator's " +
                                                     std::to_string(latents) + " per-layer latents");
  if (options.layer_begin >= end)
    throw ConfigError(object.field("layer_begin"),
                      std::to_string(options.layer_begin) + " must be below layer_end " + std::to_string(end));
}

}  // namespace

std::int32_t InterventionSettings::label_of(int class_index) const {
  if (label_of_class.empty()) return class_index;
  return label_of_class[static_cast<std::size_t>(class_index)];
}

LoadedIntervention read_intervention(ConfigObject& object,
                                     const std::function<void(const InterventionSettings&)>& read_own_keys) {
  InterventionKeys parsed = read_intervention_keys(object);
  if (read_own_keys) read_own_keys(parsed.settings);
  object.reject_unknown_keys();
  BigGanWeights weights =
      as_config_error(object, "generator", [&] { return BigGanWeights::load(parsed.settings.generator_path); });
  std::optional<DirectionSet> directions;
  if (!parsed.settings.directions_path.empty()) {
    directions =
        as_config_error(object, "directions", [&] { return DirectionSet::read(parsed.settings.directions_path); });
    check_directions(parsed, object, weights.config, *directions);
  }
  InterventionSettings& resolved = parsed.settings;
  resolved.label_of_class =
      resolve_label_map(parsed, object, weights.config.num_classes, resolved.intervention.classes);
  check_labels(parsed, object, weights.config.num_classes, resolved);
  check_layer_range(resolved.intervention, object, weights.config);
  // Anything left that the sampler refuses is a combination of keys: name the entry itself.
  as_config_error(object, "space", [&] {
    return InterventionSampler(weights.config, directions ? &*directions : nullptr, resolved.intervention);
  });
  return {std::move(resolved), std::move(weights), std::move(directions)};
}

}  // namespace genint
