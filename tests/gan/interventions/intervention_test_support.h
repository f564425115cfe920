// Shared by the intervention source tests: a temp folder holding a closed-form directions file for the tiny
// golden BigGAN (computed at test time, instantly), and the JSON entry of an intervention source using it.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "gan/biggan/biggan_weights.h"
#include "gan/directions/direction_discovery.h"
#include "support/temporary_directory.h"

namespace genint::testing {

inline const std::string kTinyGenerator = std::string(GENINT_TEST_DATA_DIR) + "/golden/gan/biggan_tiny.safetensors";
constexpr int kTinyDirectionComponents = 8;  // of the tiny model's z_dim 16

class DirectionsFolder {
 public:
  DirectionsFolder() : directory_("gensource-test") {
    ClosedFormOptions options;
    options.components = kTinyDirectionComponents;
    options.truncation = 0.5;
    options.classes = {3};
    options.generator_id = biggan_generator_id(kTinyGenerator);
    closed_form_directions(BigGanWeights::load(kTinyGenerator), options).write(directions_path());
  }
  DirectionsFolder(const DirectionsFolder&) = delete;
  DirectionsFolder& operator=(const DirectionsFolder&) = delete;

  std::string directions_path() const { return directory_.file("tiny_directions.safetensors"); }
  std::string path(const std::string& name) const { return directory_.file(name); }

 private:
  TemporaryDirectory directory_;
};

// An intervention entry's own keys (no kind/count: the loader config adds those).
inline nlohmann::json intervention_keys(const DirectionsFolder& folder, const std::string& space = "latent") {
  nlohmann::json keys = {{"generator", kTinyGenerator}, {"space", space}, {"truncation", 0.5}, {"chunk", 3}};
  if (space != "observational") {
    keys["directions"] = folder.directions_path();
    keys["top_k"] = 6;
    keys["step"] = 2.0;
  }
  return keys;
}

}  // namespace genint::testing
