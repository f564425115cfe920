// The intervention source (SourceKind::Intervention): an endless stream of BigGAN-deep images made on the fly
// from per-request seeds, pushed along GANSpace directions, in the natural source's layout and normalization.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_set.h"
#include "gan/images/generated_image.h"
#include "gan/interventions/intervention_sampler.h"
#include "gan/interventions/intervention_settings.h"
#include "loader/config/loader_config.h"
#include "loader/sources/intervention/source_generator.h"
#include "loader/sources/sample_source.h"

namespace genint {

class ConfigObject;

// The intervention (gan's: files, sampler options, labels) and where and how this source runs it.
struct InterventionSourceSettings : InterventionSettings {
  int chunk = 8;  // samples per generator forward
  // CPU, or a CUDA device per producer (each producer its own generator and stream). Activation spaces need
  // the CPU: the CUDA forward has no activation hooks.
  GeneratorBackend backend;
  int image_size = 224;
  GeneratedLayout layout = GeneratedLayout::Uint8Hwc;
};

class InterventionSource : public loader::SampleSource {
 public:
  // Weights are loaded once here and copied into each worker's generator (each generator owns its weights;
  // a CUDA one uploads them to its device).
  // Throws genint::Error when the settings do not fit the generator or the directions.
  InterventionSource(InterventionSourceSettings settings, BigGanWeights weights,
                     std::optional<DirectionSet> directions);

  loader::SourceKind kind() const override { return loader::SourceKind::Intervention; }
  std::uint64_t epoch_length() const override { return 0; }
  std::size_t chunk_size() const override { return static_cast<std::size_t>(settings_.chunk); }
  std::unique_ptr<loader::SampleProducer> make_producer(int worker_index, loader::ProducerContext context) override;

  const InterventionSourceSettings& settings() const { return settings_; }
  const BigGanWeights& weights() const { return weights_; }
  const DirectionSet* directions() const { return directions_ ? &*directions_ : nullptr; }
  std::int32_t label_of(int class_index) const { return settings_.label_of(class_index); }

 private:
  InterventionSourceSettings settings_;
  BigGanWeights weights_;
  std::optional<DirectionSet> directions_;
};

// gan's record of a generated image as the loader's (genint_intervention's layout); the transferred source records its
// generated styles with it too.
loader::InterventionRecord to_loader_record(const InterventionRecord& record);

// A generator-running source's "device" ("cpu" | "cuda"), and with cuda "device_index" (default: the loader's output
// device when that is cuda, else 0) and "precision" ("float32" | "tf32" | "bf16"); the intervention and transferred
// sources both read them. The device is checked against this build and machine now, not in a worker thread: a
// ConfigError names the key to change and says why.
GeneratorBackend read_generator_backend(ConfigObject& object, const loader::LoaderConfig& config);
// Activation-space edits run inside the generator's forward, which only the CPU forward can hook: a ConfigError on
// "device" when `backend` is CUDA and `space` is an activation space.
void refuse_activation_space_on_cuda(const ConfigObject& object, const GeneratorBackend& backend,
                                     InterventionSpace space);

// The loader's factory: validates settings.own_settings (ConfigError naming "sources[i].<key>"; the intervention's
// own keys through gan's read_intervention_keys), loads the generator and directions, and builds the source.
std::unique_ptr<loader::SampleSource> make_intervention_source(const loader::LoaderConfig& config,
                                                               const loader::SourceSettings& settings);

}  // namespace genint
