// Natural source: config keys, dataset indexing, and the per-thread producer that reads, decodes and
// transforms one file per request. A file that cannot be used is recorded as a skip with its reason.
#include "loader/sources/natural/natural_source.h"

#include <filesystem>
#include <optional>

#include "loader/sources/source_statistics.h"
#include "nn/core/config_object.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

void record_auto_augment(const io::AutoAugmentChoice& choice, SampleRecord& record) {
  record.auto_augment_sub_policy = choice.sub_policy;
  if (choice.sub_policy < 0) return;
  // A sign is recorded only for an operation that ran: the sign drawn for one that did not changed nothing.
  record.auto_augment_ops = static_cast<std::uint8_t>(
      (choice.applied[0] ? auto_augment_first_applied : 0) | (choice.applied[1] ? auto_augment_second_applied : 0) |
      (choice.applied[0] && choice.negated[0] ? auto_augment_first_negated : 0) |
      (choice.applied[1] && choice.negated[1] ? auto_augment_second_negated : 0));
}

io::NaturalPipelineConfig with_layout(io::NaturalPipelineConfig pipeline, io::OutputLayout layout) {
  pipeline.layout = layout;
  return pipeline;
}

class NaturalProducer : public SampleProducer {
 public:
  NaturalProducer(const NaturalSource& source, SourceStatistics& statistics)
      : reader_(source, source.pipeline().layout, statistics) {}

  void produce(SampleRequest* requests, std::size_t count) override {
    for (std::size_t index = 0; index < count; ++index)
      requests[index].delivered = reader_.read(requests[index], requests[index].pixels, *requests[index].record);
  }
  // Staging serves float32 samples only: a uint8 sample already is its staged image.
  bool can_stage_uint8_hwc() const override { return reader_.float_samples(); }
  void finish_staged(const std::uint8_t* hwc, std::uint8_t* pixels) override { reader_.normalise_staged(hwc, pixels); }

 private:
  NaturalSampleReader reader_;
};

// "auto_augment": "imagenet" (torchvision's policy, after the crop and flip) or "none"; its interpolation and fill
// are errors where AutoAugment is off, and AutoAugment itself where the mode is eval (torchvision trains with it).
std::optional<io::AutoAugmentOptions> parse_auto_augment(ConfigObject& object, io::PipelineMode mode) {
  const std::string policy = object.text("auto_augment", "none");
  if (policy == "none") {
    object.reject_inapplicable({"auto_augment_interpolation", "auto_augment_fill"}, "without \"auto_augment\"");
    return std::nullopt;
  }
  io::AutoAugmentOptions options;
  options.policy = as_config_error(object, "auto_augment", [&] { return io::auto_augment_policy_from_name(policy); });
  if (mode != io::PipelineMode::Train)
    throw ConfigError(object.field("auto_augment"), "applies to \"mode\": \"train\" only (eval is deterministic)");
  const std::string interpolation = object.text("auto_augment_interpolation", "nearest");
  options.interpolation = as_config_error(object, "auto_augment_interpolation",
                                          [&] { return io::auto_augment_interpolation_from_name(interpolation); });
  if (object.has("auto_augment_fill")) {
    const nlohmann::json& fill = object.array("auto_augment_fill");
    if (fill.size() != 3)
      throw ConfigError(object.field("auto_augment_fill"), "must be 3 values (R, G, B), got " + fill.dump());
    for (std::size_t channel = 0; channel < 3; ++channel) {
      if (!fill[channel].is_number_integer() || fill[channel].get<std::int64_t>() < 0 ||
          fill[channel].get<std::int64_t>() > 255)
        throw ConfigError(object.field("auto_augment_fill"), "must hold integers in [0, 255], got " + fill.dump());
      options.fill.value[channel] = static_cast<std::uint8_t>(fill[channel].get<std::int64_t>());
    }
    options.fill.given = true;
  }
  return options;
}

io::NaturalPipelineConfig parse_pipeline(ConfigObject& object, const LoaderConfig& config) {
  io::NaturalPipelineConfig pipeline;
  pipeline.output_size = config.image_size;
  pipeline.layout = config.layout == SampleLayout::Uint8Hwc ? io::OutputLayout::Uint8HWC : io::OutputLayout::FloatCHW;
  pipeline.mode =
      object.choice("mode", "train", {"train", "eval"}) == "train" ? io::PipelineMode::Train : io::PipelineMode::Eval;
  pipeline.horizontal_flip = object.boolean("flip", true);
  pipeline.crop.scale_min = object.number("crop_scale_min", pipeline.crop.scale_min, 1e-6, 1.0);
  pipeline.crop.scale_max = object.number("crop_scale_max", pipeline.crop.scale_max, pipeline.crop.scale_min, 1.0);
  pipeline.eval_resize_size =
      static_cast<int>(object.integer("eval_resize", (config.image_size * 8 + 6) / 7, config.image_size, 16384));
  pipeline.border_crop_pixels = static_cast<int>(object.integer("border_crop", 0, 0, 1024));
  pipeline.augment.rotation_degrees = object.number("rotation_degrees", 0.0, 0.0, 180.0);
  pipeline.augment.brightness = object.number("brightness", 0.0, 0.0, 1.0);
  pipeline.augment.contrast = object.number("contrast", 0.0, 0.0, 1.0);
  pipeline.augment.saturation = object.number("saturation", 0.0, 0.0, 1.0);
  pipeline.max_pixels = object.unsigned_integer("max_pixels", pipeline.max_pixels);
  pipeline.fast_dct = object.boolean("fast_dct", true);
  pipeline.auto_augment = parse_auto_augment(object, pipeline.mode);
  return pipeline;
}

}  // namespace

NaturalSource::NaturalSource(io::DatasetIndex index, io::NaturalPipelineConfig pipeline, std::uint64_t seed, int rank,
                             int world_size)
    : index_(std::move(index)), pipeline_(pipeline), order_(index_.size(), seed, rank, world_size) {}

std::unique_ptr<SampleProducer> NaturalSource::make_producer(int, ProducerContext context) {
  return std::make_unique<NaturalProducer>(*this, *context.statistics);
}

NaturalSampleReader::NaturalSampleReader(const NaturalSource& source, io::OutputLayout layout,
                                         SourceStatistics& statistics)
    : source_(source), statistics_(statistics), maker_(with_layout(source.pipeline(), layout)) {}

bool NaturalSampleReader::read(const SampleRequest& request, std::uint8_t* pixels, SampleRecord& record) {
  const std::uint64_t item = source_.order().item(request.epoch, request.position);
  source_.index().full_path_into(item, path_);
  const io::SampleResult result = request.stage_uint8_hwc || !float_samples()
                                      ? maker_.make_staged_from_file(path_, request.seed, pixels)
                                      : maker_.make_from_file(path_, request.seed, reinterpret_cast<float*>(pixels));
  if (!io::decode_outcome_has_pixels(result.outcome)) {
    statistics_.record_skip(io::decode_outcome_name(result.outcome),
                            result.detail.empty() ? path_ : path_ + ": " + result.detail);
    return false;
  }
  record.label = source_.index().label(item);
  record.item = static_cast<std::int64_t>(item);
  record_auto_augment(result.auto_augment, record);
  return true;
}

NaturalEntry read_natural_keys(ConfigObject& object, const LoaderConfig& config) {
  NaturalEntry entry;
  entry.root = object.required_text("root");
  entry.index_options.layout =
      as_config_error(object, "layout", [&] { return io::parse_dataset_layout(object.text("layout", "auto")); });
  entry.index_options.label_file = object.text("label_file", "");
  entry.index_options.threads = static_cast<int>(object.integer("index_threads", 0, 0, 256));
  entry.pipeline = parse_pipeline(object, config);
  return entry;
}

io::DatasetIndex index_natural_root(const ConfigObject& object, const std::string& root_key, const std::string& root,
                                    const io::DatasetIndexOptions& options, std::size_t min_images,
                                    const std::string& needed_for) {
  std::error_code error_code;
  if (!std::filesystem::exists(root, error_code))
    throw ConfigError(object.field(root_key), "'" + root + "' does not exist");
  if (!options.label_file.empty() && !std::filesystem::is_regular_file(options.label_file, error_code))
    throw ConfigError(object.field("label_file"), "'" + options.label_file + "' is not a readable file");
  io::DatasetIndex index = as_config_error(object, root_key, [&] { return io::build_dataset_index(root, options); });
  if (index.size() < min_images)
    throw ConfigError(object.field(root_key), "'" + root + "' holds " + std::to_string(index.size()) +
                                                  " images, fewer than the " + std::to_string(min_images) + " " +
                                                  needed_for);
  return index;
}

std::unique_ptr<SampleSource> make_natural_source(const LoaderConfig& config, const SourceSettings& settings) {
  ConfigObject object(settings.own_settings, settings.path);
  NaturalEntry entry = read_natural_keys(object, config);
  object.reject_unknown_keys();
  io::DatasetIndex index = index_natural_root(object, "root", entry.root, entry.index_options,
                                              static_cast<std::size_t>(config.shard_world_size), "shards");
  return std::make_unique<NaturalSource>(std::move(index), entry.pipeline, config.seed, config.shard_rank,
                                         config.shard_world_size);
}

}  // namespace genint::loader
