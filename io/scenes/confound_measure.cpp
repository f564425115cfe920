// Binned Bayes classifiers over (hue, angle), hue alone and angle alone. Bins are fixed 30-degree cells:
// fine enough to follow a von Mises of kappa up to ~10, coarse enough that a few hundred samples fill them.
#include "io/scenes/confound_measure.h"

#include <algorithm>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

// Folds by a hash of the index, not its parity: a split ordered label by label, or labels interleaved
// with an even period, would otherwise leave whole labels out of one half.
std::size_t fold_of(std::size_t index) {
  return derive_seed(0, 0, index) & 1u;
}

// Two-fold cross-validated accuracy of the majority label per cell; cells empty in the fitting half
// predict that half's most frequent label.
double cross_validated_accuracy(const std::vector<int>& cells, int cell_count, const std::vector<int>& labels,
                                int class_count) {
  std::size_t correct = 0;
  std::vector<std::size_t> counts(static_cast<std::size_t>(cell_count) * class_count);
  std::vector<std::size_t> label_totals(static_cast<std::size_t>(class_count));
  for (std::size_t fit_fold = 0; fit_fold < 2; ++fit_fold) {
    std::fill(counts.begin(), counts.end(), 0);
    std::fill(label_totals.begin(), label_totals.end(), 0);
    for (std::size_t index = 0; index < cells.size(); ++index) {
      if (fold_of(index) != fit_fold) continue;
      ++counts[static_cast<std::size_t>(cells[index]) * class_count + labels[index]];
      ++label_totals[static_cast<std::size_t>(labels[index])];
    }
    const int fallback =
        static_cast<int>(std::max_element(label_totals.begin(), label_totals.end()) - label_totals.begin());
    for (std::size_t index = 0; index < cells.size(); ++index) {
      if (fold_of(index) == fit_fold) continue;
      const auto first = counts.begin() + static_cast<std::ptrdiff_t>(cells[index]) * class_count;
      const auto best = std::max_element(first, first + class_count);
      const int predicted = *best == 0 ? fallback : static_cast<int>(best - first);
      correct += predicted == labels[index] ? 1 : 0;
    }
  }
  return cells.empty() ? 0.0 : static_cast<double>(correct) / static_cast<double>(cells.size());
}

}  // namespace

int hue_bin(double hue) {
  return std::min(confound_bins - 1, static_cast<int>(wrap_degrees(hue, 0.0) / 30.0));
}
int angle_bin(double angle) {
  return std::min(confound_bins - 1, static_cast<int>((wrap_degrees(angle, -180.0) + 180.0) / 30.0));
}

ConfoundAccuracy measure_confound(const std::vector<double>& hues, const std::vector<double>& angles,
                                  const std::vector<int>& labels, int class_count) {
  GENINT_CHECK(hues.size() == labels.size() && angles.size() == labels.size(),
               "measure_confound: hues, angles and labels differ in length");
  std::vector<int> joint(labels.size()), hue_cells(labels.size()), angle_cells(labels.size());
  std::vector<std::size_t> label_totals(static_cast<std::size_t>(class_count));
  for (std::size_t index = 0; index < labels.size(); ++index) {
    GENINT_CHECK(labels[index] >= 0 && labels[index] < class_count, "measure_confound: label out of range");
    hue_cells[index] = hue_bin(hues[index]);
    angle_cells[index] = angle_bin(angles[index]);
    joint[index] = hue_cells[index] * confound_bins + angle_cells[index];
    ++label_totals[static_cast<std::size_t>(labels[index])];
  }
  ConfoundAccuracy accuracy;
  accuracy.hue_and_angle = cross_validated_accuracy(joint, confound_bins * confound_bins, labels, class_count);
  accuracy.hue_only = cross_validated_accuracy(hue_cells, confound_bins, labels, class_count);
  accuracy.angle_only = cross_validated_accuracy(angle_cells, confound_bins, labels, class_count);
  accuracy.chance = labels.empty() ? 0.0
                                   : static_cast<double>(*std::max_element(label_totals.begin(), label_totals.end())) /
                                         static_cast<double>(labels.size());
  return accuracy;
}

ConfoundAccuracy population_confound(const NuisanceModel& model, NuisanceLaw law) {
  const int classes = model.parameters().class_count;
  // Probability mass of each 30-degree bin per class, by the midpoint rule on 0.25-degree steps.
  constexpr int steps_per_bin = 120;
  std::vector<double> hue_mass(static_cast<std::size_t>(classes) * confound_bins);
  std::vector<double> angle_mass(hue_mass.size());
  for (int label = 0; label < classes; ++label)
    for (int bin = 0; bin < confound_bins; ++bin)
      for (int step = 0; step < steps_per_bin; ++step) {
        const double offset = 30.0 * bin + (step + 0.5) * 30.0 / steps_per_bin;
        const std::size_t at = static_cast<std::size_t>(label) * confound_bins + static_cast<std::size_t>(bin);
        hue_mass[at] += model.hue_density(law, label, offset) * 30.0 / steps_per_bin;
        angle_mass[at] += model.angle_density(law, label, offset - 180.0) * 30.0 / steps_per_bin;
      }
  ConfoundAccuracy accuracy;
  accuracy.chance = 1.0 / classes;
  auto mass = [&](const std::vector<double>& masses, int label, int bin) {
    return masses[static_cast<std::size_t>(label) * confound_bins + static_cast<std::size_t>(bin)];
  };
  for (int first_bin = 0; first_bin < confound_bins; ++first_bin) {
    double best_hue = 0, best_angle = 0;
    for (int label = 0; label < classes; ++label) {
      best_hue = std::max(best_hue, mass(hue_mass, label, first_bin));
      best_angle = std::max(best_angle, mass(angle_mass, label, first_bin));
    }
    accuracy.hue_only += best_hue / classes;
    accuracy.angle_only += best_angle / classes;
    for (int second_bin = 0; second_bin < confound_bins; ++second_bin) {
      double best_joint = 0;
      for (int label = 0; label < classes; ++label)
        best_joint = std::max(best_joint, mass(hue_mass, label, first_bin) * mass(angle_mass, label, second_bin));
      accuracy.hue_and_angle += best_joint / classes;
    }
  }
  return accuracy;
}

}  // namespace genint::io::scenes
