// What an intervention is, as a user writes it (an intervention source entry of the loader config, genint-gan
// sample --config): its JSON keys read strictly, then the generator and directions files loaded and checked.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_set.h"
#include "gan/interventions/intervention_sampler.h"
#include "nn/core/config_object.h"

namespace genint {

struct InterventionSettings {
  std::string generator_path;   // converted BigGAN-deep weights (tools/convert_biggan.py)
  std::string directions_path;  // a directions file; empty for the observational space
  InterventionOptions intervention;
  // Dataset label of each generator class ([num_classes]); empty: identity. Classes drawn must map to ≥ 0.
  std::vector<std::int32_t> label_of_class;

  std::int32_t label_of(int class_index) const;
};

// An intervention read and checked against its files, which are loaded once.
struct LoadedIntervention {
  InterventionSettings settings;
  BigGanWeights weights;
  std::optional<DirectionSet> directions;
};

// Reads generator, space, directions, top_k, step, layer_begin, layer_end, truncation, classes, label_map and
// label_count from `object`; then `read_own_keys` reads the caller's other keys (given the intervention so far);
// then unknown keys are refused, both files loaded and the keys checked against them and the sampler. Every
// failure is a ConfigError naming object.field(key).
LoadedIntervention read_intervention(ConfigObject& object,
                                     const std::function<void(const InterventionSettings&)>& read_own_keys = nullptr);

}  // namespace genint
