// The transferred source's config entry: the content dataset's keys are the natural source's, a generated style's
// the intervention's (gan's read_intervention), plus network, alpha, contents_per_style, style, style_root, device.
#include <vector>

#include "gan/interventions/intervention_settings.h"
#include "loader/sources/intervention/intervention_source.h"
#include "loader/sources/transferred/transferred_source.h"
#include "nn/core/config_object.h"
#include "nn/core/error.h"
#include "nn/models/adain_network.h"

namespace genint::loader {
namespace {

// The intervention's own keys (gan/interventions/intervention_settings.h), inapplicable to natural styles.
const std::vector<std::string> intervention_keys = {"generator", "space",     "directions",  "truncation",
                                                    "top_k",     "step",      "layer_begin", "layer_end",
                                                    "classes",   "label_map", "label_count"};

// "alpha": [lo, hi] with 0 ≤ lo ≤ hi ≤ 1, or one number for a fixed α; default 1 (full style, as the paper's
// transfer and pytorch-AdaIN's default).
void read_alpha(ConfigObject& object, TransferredSourceSettings& settings) {
  if (!object.has("alpha")) return;
  const nlohmann::json& value = object.json().at("alpha");
  const std::string field = object.field("alpha");
  if (value.is_number()) {
    settings.alpha_min = settings.alpha_max = static_cast<float>(object.number("alpha", 1.0, 0.0, 1.0));
    return;
  }
  const nlohmann::json& range = object.array("alpha");
  if (range.size() != 2 || !range[0].is_number() || !range[1].is_number())
    throw ConfigError(field, "must be [low, high] (two numbers in [0, 1]) or one number, got " + range.dump());
  const double low = range[0].get<double>(), high = range[1].get<double>();
  if (!(low >= 0.0 && high <= 1.0))
    throw ConfigError(field, "must lie in [0, 1] (AdaIN's content-style trade-off), got " + range.dump());
  if (low > high) throw ConfigError(field, "low end " + range[0].dump() + " exceeds high end " + range[1].dump());
  settings.alpha_min = static_cast<float>(low);
  settings.alpha_max = static_cast<float>(high);
}

// The network file must load (every tensor present and shaped) and serve the loader's image size.
void check_network(const ConfigObject& object, const std::string& path, int image_size) {
  as_config_error(object, "network", [&] { return AdaINNetwork(path).widths(); });
  if (image_size < 9)
    throw ConfigError(object.field("network"), "AdaIN needs images of at least 9×9 (relu4_1 must have 2×2 planes), " +
                                                   std::string("image.size is ") + std::to_string(image_size));
}

// Generated styles: the intervention source's keys, read and loaded by gan; label_map and label_count have no
// effect here (a transferred sample keeps its content's label). An activation space on a CUDA backend is refused as
// the intervention source refuses it: once the keys are read, before the generator and directions are loaded.
StyleSpecification read_generated_style(ConfigObject& object, const GeneratorBackend& backend) {
  object.reject_inapplicable({"style_root"}, "with style 'generated' (the styles come from the generator)");
  object.reject_inapplicable({"label_map", "label_count"},
                             "in a transferred source: a sample's label is its content's (\"classes\" chooses the "
                             "styles' classes)");
  LoadedIntervention loaded = read_intervention(object, [&](const InterventionSettings& intervention) {
    refuse_activation_space_on_cuda(object, backend, intervention.intervention.space);
  });
  StyleSpecification style;
  style.kind = StyleKind::Generated;
  style.intervention = std::move(loaded.settings);
  style.weights = std::move(loaded.weights);
  style.directions = std::move(loaded.directions);
  if (style.weights->config.output_dim < 9)
    throw ConfigError(object.field("generator"), "its " + std::to_string(style.weights->config.output_dim) +
                                                     "-pixel images are below AdaIN's 9×9 minimum");
  return style;
}

// Natural styles: another folder ("style_root", indexed with layout auto) or the content's own images.
StyleSpecification read_natural_style(ConfigObject& object, const NaturalEntry& content, int image_size) {
  object.reject_inapplicable(intervention_keys, "with style 'natural' (no generator is run)");
  const std::string style_root = object.text("style_root", "");
  object.reject_unknown_keys();
  StyleSpecification style;
  style.kind = StyleKind::Natural;
  if (!style_root.empty())
    style.index = index_natural_root(object, "style_root", style_root, io::DatasetIndexOptions{}, 1, "a style needs");
  style.pipeline = content.pipeline;  // max_pixels, fast_dct, border_crop: the content's decoding settings
  style.pipeline.mode = io::PipelineMode::Eval;
  style.pipeline.output_size = image_size;
  style.pipeline.eval_resize_size = (image_size * 8 + 6) / 7;  // the natural eval default: 256 for 224
  style.pipeline.horizontal_flip = false;
  style.pipeline.auto_augment.reset();
  style.pipeline.augment = io::AugmentOptions{};
  style.pipeline.layout = io::OutputLayout::Uint8HWC;
  return style;
}

}  // namespace

std::unique_ptr<SampleSource> make_transferred_source(const LoaderConfig& config, const SourceSettings& settings) {
  ConfigObject object(settings.own_settings, settings.path);
  TransferredSourceSettings source_settings;
  source_settings.rank = config.shard_rank;
  source_settings.world_size = config.shard_world_size;
  source_settings.network_path = object.required_text("network");
  read_alpha(object, source_settings);
  source_settings.contents_per_style = static_cast<int>(object.integer("contents_per_style", 1, 1, 1 << 20));
  if (settings.count % source_settings.contents_per_style != 0)
    throw ConfigError(object.field("contents_per_style"),
                      std::to_string(source_settings.contents_per_style) + " must divide the source's " +
                          std::to_string(settings.count) + " samples per batch (a style is shared within a batch)");
  source_settings.backend = read_generator_backend(object, config);
  const bool natural_style = object.choice("style", "generated", {"generated", "natural"}) == "natural";
  const NaturalEntry content = read_natural_keys(object, config);
  // Both readers end by refusing unknown keys.
  StyleSpecification style = natural_style ? read_natural_style(object, content, config.image_size)
                                           : read_generated_style(object, source_settings.backend);
  check_network(object, source_settings.network_path, config.image_size);
  io::DatasetIndex index = index_natural_root(object, "root", content.root, content.index_options,
                                              static_cast<std::size_t>(config.shard_world_size), "shards");
  auto content_source = std::make_unique<NaturalSource>(std::move(index), content.pipeline, config.seed,
                                                        config.shard_rank, config.shard_world_size);
  return as_config_error(object, "network", [&]() -> std::unique_ptr<SampleSource> {
    return std::make_unique<TransferredSource>(std::move(source_settings), std::move(content_source), std::move(style));
  });
}

}  // namespace genint::loader
