// CSV rows and manifest sections of fashion-scenes. Numbers are printed with fixed precision so that the
// files are byte-identical between runs with the same seed.
#include "io/scenes/scene_records.h"

#include <cmath>
#include <cstdio>
#include <memory>

#include "io/scenes/scene_renderer.h"
#include "nn/core/error.h"

namespace genint::io::scenes {

void write_scene_csv(const std::string& path, const std::vector<SceneRecord>& records,
                     const std::vector<std::string>& class_folders, bool with_corruption) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "wb"), &std::fclose);
  GENINT_CHECK(file != nullptr, "cannot create " + path);
  std::fprintf(file.get(),
               "file,label,class,source_index,hue,texture,texture_frequency,texture_orientation,"
               "texture_phase,angle,scale,center_x,center_y%s\n",
               with_corruption ? ",corruption,severity" : "");
  for (const SceneRecord& record : records) {
    const Nuisances& nuisance = record.nuisances;
    std::fprintf(file.get(), "%s,%d,%s,%zu,%.3f,%s,%.4f,%.3f,%.4f,%.3f,%.4f,%.4f,%.4f", record.file.c_str(),
                 record.label, class_folders.at(static_cast<std::size_t>(record.label)).c_str(), record.source_index,
                 nuisance.hue, texture_kind_name(nuisance.texture), nuisance.texture_frequency,
                 nuisance.texture_orientation, nuisance.texture_phase, nuisance.angle, nuisance.scale,
                 nuisance.center_x, nuisance.center_y);
    if (with_corruption) std::fprintf(file.get(), ",%s,%d", record.corruption.c_str(), record.severity);
    std::fputc('\n', file.get());
  }
  GENINT_CHECK(std::fflush(file.get()) == 0 && std::ferror(file.get()) == 0, "writing " + path + " failed");
}

ConfoundAccuracy measure_records(const std::vector<SceneRecord>& records, int class_count) {
  std::vector<double> hues, angles;
  std::vector<int> labels;
  hues.reserve(records.size());
  angles.reserve(records.size());
  labels.reserve(records.size());
  for (const SceneRecord& record : records) {
    hues.push_back(record.nuisances.hue);
    angles.push_back(record.nuisances.angle);
    labels.push_back(record.label);
  }
  return measure_confound(hues, angles, labels, class_count);
}

nlohmann::ordered_json confound_json(const ConfoundAccuracy& accuracy) {
  auto rounded = [](double value) { return std::round(value * 1e4) / 1e4; };
  return {{"hue_and_angle", rounded(accuracy.hue_and_angle)},
          {"hue_only", rounded(accuracy.hue_only)},
          {"angle_only", rounded(accuracy.angle_only)},
          {"chance", rounded(accuracy.chance)}};
}

nlohmann::ordered_json nuisance_laws_json(const NuisanceModel& model) {
  const NuisanceParameters& parameters = model.parameters();
  nlohmann::ordered_json laws;
  laws["confounded"] = {
      {"used_by", {"train", "val", "test"}},
      {"hue", "rho * VonMises(class_hue_mean, hue_concentration) + (1 - rho) * Uniform[0, 360), degrees"},
      {"angle",
       "rho * VonMises(class_angle_mean, angle_concentration) + (1 - rho) * Uniform[-180, 180), degrees, "
       "counter-clockwise; the mixture component is drawn separately for hue and angle"},
      {"class_hue_mean", "360 * label / classes"},
      {"class_angle_mean", "360 * ((label * angle_mean_stride) mod classes) / classes, wrapped to [-180, 180)"},
      {"rho", parameters.rho},
      {"hue_concentration", parameters.hue_concentration},
      {"angle_concentration", parameters.angle_concentration},
      {"angle_mean_stride", parameters.angle_mean_stride}};
  laws["class_independent"] = {{"used_by", {"ood", "ood_val"}},
                               {"hue", "Uniform[0, 360) for every class"},
                               {"angle", "Uniform[-180, 180) for every class"}};
  laws["shared_by_both"] = {{"texture", "uniform over stripes, checker, noise"},
                            {"texture_frequency", {parameters.frequency_min, parameters.frequency_max}},
                            {"texture_orientation", "Uniform[0, 180) degrees"},
                            {"texture_phase", "Uniform[0, 1) cycles"},
                            {"scale", {parameters.scale_min, parameters.scale_max}},
                            {"center_x", {0.5 - parameters.center_spread, 0.5 + parameters.center_spread}},
                            {"center_y", {0.5 - parameters.center_spread, 0.5 + parameters.center_spread}},
                            {"background", "HSV(hue, saturation, value_low + (value_high - value_low) * texture)"},
                            {"background_saturation", background_saturation},
                            {"background_value", {background_value_low, background_value_high}},
                            {"object", "grey item intensity I composited with opacity min(1, I * object_alpha_gain)"},
                            {"object_alpha_gain", object_alpha_gain}};
  return laws;
}

}  // namespace genint::io::scenes
