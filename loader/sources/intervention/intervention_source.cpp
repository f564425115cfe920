// Intervention source and its per-thread producer: seeds → intervention records and latents (sampler) →
// BigGAN-deep forward per chunk (CPU, or the producer's CUDA device) → resize/quantize/normalize on the CPU
// into the loader's sample memory.
#include "loader/sources/intervention/intervention_source.h"

#include <algorithm>

#include "loader/sources/source_statistics.h"
#include "nn/core/error.h"

namespace genint {
namespace {

class InterventionProducer : public loader::SampleProducer {
 public:
  InterventionProducer(const InterventionSource& source, loader::ProducerContext context)
      : source_(source),
        context_(context),
        chunk_(source.settings().chunk),
        generator_(make_source_generator(source.weights(), source.settings().backend, chunk_, context.stop_requested)),
        sampler_(source.weights().config, source.directions(), source.settings().intervention),
        converter_(generator_->resolution(), source.settings().image_size, source.settings().layout) {
    sampler_.reserve(chunk_, batch_);
    seeds_.resize(static_cast<std::size_t>(chunk_));
    const auto resolution = static_cast<std::size_t>(generator_->resolution());
    images_.resize(static_cast<std::size_t>(chunk_) * 3 * resolution * resolution);
    // The hook reads batch_ by reference, so it is set once and sees every chunk's records.
    if (is_activation_space(sampler_.options().space))
      generator_->set_activation_hook(sampler_.activation_hook(batch_));
  }

  void produce(loader::SampleRequest* requests, std::size_t count) override {
    for (std::size_t first = 0; first < count; first += static_cast<std::size_t>(chunk_)) {
      // A forward pass is the long step: never start one for a loader that is shutting down (the CPU
      // forward also checks between its modules, so one already running ends early too).
      if (context_.stopping()) return;
      if (!produce_chunk(requests + first, std::min(count - first, static_cast<std::size_t>(chunk_)))) return;
    }
  }

 private:
  // False when the forward was stopped: the chunk's requests stay undelivered.
  bool produce_chunk(loader::SampleRequest* requests, std::size_t count) {
    for (std::size_t index = 0; index < count; ++index) seeds_[index] = requests[index].seed;
    const int batch = static_cast<int>(count);
    sampler_.sample(seeds_.data(), nullptr, batch, batch_);
    if (!generator_->generate(batch, generator_inputs(batch_), images_.data())) return false;
    const auto resolution = static_cast<std::size_t>(generator_->resolution());
    const std::size_t image_floats = 3 * resolution * resolution;
    for (std::size_t index = 0; index < count; ++index) {
      loader::SampleRequest& request = requests[index];
      const InterventionRecord& record = batch_.records[index];
      if (!converter_.convert(images_.data() + index * image_floats, request.pixels)) {
        context_.statistics->record_skip(
            "non-finite generator output",
            "seed " + std::to_string(record.seed) + ", class " + std::to_string(record.class_index));
        continue;
      }
      request.record->label = source_.label_of(record.class_index);
      request.record->item = static_cast<std::int64_t>(request.position);
      request.record->intervention = to_loader_record(record);
      request.delivered = true;
    }
    return true;
  }

  const InterventionSource& source_;
  loader::ProducerContext context_;
  int chunk_;
  std::unique_ptr<SourceGenerator> generator_;
  InterventionSampler sampler_;
  GeneratedImageConverter converter_;
  InterventionBatch batch_;
  std::vector<std::uint64_t> seeds_;
  std::vector<float> images_;  // [chunk, 3, resolution, resolution], host memory
};

}  // namespace

loader::InterventionRecord to_loader_record(const InterventionRecord& record) {
  const auto space = static_cast<std::int32_t>(record.space);  // the reserved field stays 0
  return {record.class_index, 0,          record.seed, record.truncation, space, record.layer_begin, record.layer_end,
          record.direction,   record.step};
}

InterventionSource::InterventionSource(InterventionSourceSettings settings, BigGanWeights weights,
                                       std::optional<DirectionSet> directions)
    : settings_(std::move(settings)), weights_(std::move(weights)), directions_(std::move(directions)) {
  const BigGanConfig& config = weights_.config;
  GENINT_CHECK(settings_.chunk >= 1, "intervention source: chunk " + std::to_string(settings_.chunk) + " must be ≥ 1");
  GENINT_CHECK(settings_.label_of_class.empty() ||
                   settings_.label_of_class.size() == static_cast<std::size_t>(config.num_classes),
               "intervention source: the label map has " + std::to_string(settings_.label_of_class.size()) +
                   " entries, the generator " + std::to_string(config.num_classes) + " classes");
  // The sampler validates the options against the generator and directions (k, layer range, classes).
  const InterventionSampler sampler(config, this->directions(), settings_.intervention);
  const std::vector<int>& classes = sampler.options().classes;
  for (int class_index = 0; class_index < config.num_classes; ++class_index) {
    const bool drawn = classes.empty() || std::find(classes.begin(), classes.end(), class_index) != classes.end();
    GENINT_CHECK(!drawn || label_of(class_index) >= 0,
                 "intervention source: generator class " + std::to_string(class_index) + " has no dataset label");
  }
  GeneratedImageConverter(config.output_dim, settings_.image_size, settings_.layout);  // validates the sizes
  GENINT_CHECK(settings_.backend.device == Device::Cpu || !is_activation_space(settings_.intervention.space),
               "intervention source: space '" + std::string(intervention_space_name(settings_.intervention.space)) +
                   "' edits activations inside the forward, which only the CPU generator can (no CUDA hooks)");
  GENINT_CHECK(settings_.backend.device == Device::Cuda || settings_.backend.precision == GeneratorPrecision::Float32,
               "intervention source: the CPU generator computes in float32 only");
}

std::unique_ptr<loader::SampleProducer> InterventionSource::make_producer(int, loader::ProducerContext context) {
  return std::make_unique<InterventionProducer>(*this, context);
}

}  // namespace genint
