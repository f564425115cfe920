// How strongly the nuisances predict the label: the accuracy of a Bayes classifier on binned hue and angle,
// measured on a split's samples (two-fold cross-validated) and computed exactly from the laws.
#pragma once

#include <vector>

#include "io/scenes/nuisance_model.h"

namespace genint::io::scenes {

struct ConfoundAccuracy {
  double hue_and_angle = 0;
  double hue_only = 0;
  double angle_only = 0;
  double chance = 0;  // the most frequent label's share
};

inline constexpr int confound_bins = 12;  // 30-degree bins over hue and over angle
// The cells: hue bins start at 0 degrees, angle bins at −180.
int hue_bin(double hue);
int angle_bin(double angle);

// Fits the per-bin majority label on one half of the samples (a fixed hash of the index picks the half) and
// scores the other, then the other way round: an honest out-of-sample accuracy even when bins hold few samples.
ConfoundAccuracy measure_confound(const std::vector<double>& hues, const std::vector<double>& angles,
                                  const std::vector<int>& labels, int class_count);

// The same accuracy for infinitely many samples with balanced classes: the integral over bins of the
// largest per-class bin probability, from the model's exact densities.
ConfoundAccuracy population_confound(const NuisanceModel& model, NuisanceLaw law);

}  // namespace genint::io::scenes
