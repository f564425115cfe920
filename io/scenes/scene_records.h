// What fashion-scenes remembers about every image it writes (file, label, nuisances, corruption), and the
// CSV and manifest pieces made from those records.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/scenes/confound_measure.h"
#include "io/scenes/nuisance_model.h"

namespace genint::io::scenes {

struct SceneRecord {
  std::string file;  // relative to the output folder
  int label = 0;
  std::size_t source_index = 0;  // the item's index in its Fashion-MNIST file
  Nuisances nuisances;
  std::string corruption;  // empty outside the corrupted tree
  int severity = 0;
};

// Writes one CSV: file,label,class,source_index,hue,texture,texture_frequency,texture_orientation,
// texture_phase,angle,scale,center_x,center_y[,corruption,severity]. Throws genint::Error on a write failure.
void write_scene_csv(const std::string& path, const std::vector<SceneRecord>& records,
                     const std::vector<std::string>& class_folders, bool with_corruption);

ConfoundAccuracy measure_records(const std::vector<SceneRecord>& records, int class_count);
nlohmann::ordered_json confound_json(const ConfoundAccuracy& accuracy);
// The laws in words and numbers, for the manifest: what docs/fashion-scenes.md describes.
nlohmann::ordered_json nuisance_laws_json(const NuisanceModel& model);

}  // namespace genint::io::scenes
