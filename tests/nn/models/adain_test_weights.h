// Tests only: make_adain_goldens.py's procedural full-width AdaIN weights (64/128/256/512, splitmix64 as the ResNet
// golden), bit for bit, written as a tools/convert_adain.py file; ~28 MB, so built by each test rather than committed.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>

#include "nn/models/adain_network.h"
#include "nn/models/procedural_weights.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint::testing {

inline void write_adain_full_width_weights(const std::string& path) {
  const int channels[5] = {3, 64, 128, 256, 512};
  io::SafetensorsWriter writer;
  for (std::size_t position = 0; position < adain_layers.size(); ++position) {
    const AdaINLayerSpec& layer = adain_layers[position];     // in the converter's order, as the script's seeds
    const bool output = position + 1 == adain_layers.size();  // the decoder's last conv: gain 0.12, bias 0.5 ± 0.05
    const auto in = static_cast<std::uint64_t>(channels[layer.in_level]);
    const auto out = static_cast<std::uint64_t>(channels[layer.out_level]);
    const auto kernel = static_cast<std::uint64_t>(layer.kernel);
    const double bound = std::sqrt(6.0 / static_cast<double>(in * kernel * kernel)) * (output ? 0.12 : 1.0);
    const double centre = output ? 0.5 : 0.0;
    writer.add(std::string(layer.name) + ".weight", {out, in, kernel, kernel},
               procedural_uniform(2 * position, out * in * kernel * kernel, -bound, bound));
    writer.add(std::string(layer.name) + ".bias", {out},
               procedural_uniform(2 * position + 1, out, centre - 0.05, centre + 0.05));
  }
  writer.write_file(path);
}

}  // namespace genint::testing
