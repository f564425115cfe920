// The nuisance laws: von Mises draws have the right mean direction and spread; training-like splits give
// each class its own hue distribution yet cover the whole circle in every class; OOD hue is class-independent.
#include "io/scenes/nuisance_model.h"

#include <gtest/gtest.h>

#include <cmath>

#include "io/scenes/confound_measure.h"
#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr int classes = 10;
constexpr int bins = 12;

// Counts[label][bin] of the hue (or angle) of `per_class` draws for every class.
std::vector<std::vector<double>> binned_draws(const NuisanceModel& model, NuisanceLaw law, int per_class, bool hue,
                                              std::uint64_t seed) {
  std::vector<std::vector<double>> counts(classes, std::vector<double>(bins, 0.0));
  for (int label = 0; label < classes; ++label)
    for (int index = 0; index < per_class; ++index) {
      SampleRandom random(derive_seed(seed, static_cast<std::uint64_t>(label), static_cast<std::uint64_t>(index)));
      const Nuisances nuisances = model.sample(law, label, random);
      const double value = hue ? nuisances.hue : nuisances.angle + 180.0;
      counts[static_cast<std::size_t>(label)]
            [static_cast<std::size_t>(std::min(bins - 1, static_cast<int>(value / 30.0)))] += 1;
    }
  return counts;
}

// Pearson's chi-square statistic of independence between label and bin.
double chi_square(const std::vector<std::vector<double>>& counts) {
  double total = 0;
  std::vector<double> row_totals(counts.size(), 0.0), column_totals(counts[0].size(), 0.0);
  for (std::size_t row = 0; row < counts.size(); ++row)
    for (std::size_t column = 0; column < counts[row].size(); ++column) {
      row_totals[row] += counts[row][column];
      column_totals[column] += counts[row][column];
      total += counts[row][column];
    }
  double statistic = 0;
  for (std::size_t row = 0; row < counts.size(); ++row)
    for (std::size_t column = 0; column < counts[row].size(); ++column) {
      const double expected = row_totals[row] * column_totals[column] / total;
      statistic += (counts[row][column] - expected) * (counts[row][column] - expected) / expected;
    }
  return statistic;
}

// The 0.999 quantile of chi-square with (10 - 1) * (12 - 1) = 99 degrees of freedom is 148.23.
constexpr double chi_square_99_quantile_999 = 148.23;

TEST(NuisanceModel, VonMisesDrawsHaveTheirMeanDirectionAndSpread) {
  SampleRandom random(7);
  const double kappa = 4.0, mean = 100.0;
  double sum_cos = 0, sum_sin = 0;
  constexpr int draws = 20000;
  for (int index = 0; index < draws; ++index) {
    const double radians = (sample_von_mises_degrees(mean, kappa, random) - mean) * pi / 180.0;
    sum_cos += std::cos(radians);
    sum_sin += std::sin(radians);
  }
  // Mean resultant length of a von Mises is I1(kappa) / I0(kappa) = 0.8635 for kappa 4; the standard error
  // of the sample mean cosine over 20000 draws is about 0.0015, so 0.01 is over six standard errors.
  EXPECT_NEAR(sum_cos / draws, std::cyl_bessel_i(1.0, kappa) / std::cyl_bessel_i(0.0, kappa), 0.01);
  EXPECT_NEAR(sum_sin / draws, 0.0, 0.01);
}

TEST(NuisanceModel, DensitiesIntegrateToOne) {
  const NuisanceModel model(NuisanceParameters{});
  for (const NuisanceLaw law : {NuisanceLaw::Confounded, NuisanceLaw::ClassIndependent}) {
    double hue_mass = 0, angle_mass = 0;
    for (double degree = 0.05; degree < 360.0; degree += 0.1) {
      hue_mass += model.hue_density(law, 3, degree) * 0.1;
      angle_mass += model.angle_density(law, 3, degree - 180.0) * 0.1;
    }
    EXPECT_NEAR(hue_mass, 1.0, 1e-6);  // midpoint rule on a smooth periodic function: error far below this
    EXPECT_NEAR(angle_mass, 1.0, 1e-6);
  }
}

TEST(NuisanceModel, TrainingHueAndAngleDependOnTheClass) {
  const NuisanceModel model(NuisanceParameters{});
  // 300 draws per class; with the default law the statistic is in the thousands.
  EXPECT_GT(chi_square(binned_draws(model, NuisanceLaw::Confounded, 300, true, 1)), 10 * chi_square_99_quantile_999);
  EXPECT_GT(chi_square(binned_draws(model, NuisanceLaw::Confounded, 300, false, 2)), 10 * chi_square_99_quantile_999);
  // Each class's hue centres on its own mean: the mixture's mean direction is the von Mises mean. With 300
  // draws (mean resultant length ~0.78) the standard error of the mean direction is about 3 degrees.
  for (int label = 0; label < classes; ++label) {
    double sum_cos = 0, sum_sin = 0;
    for (int index = 0; index < 300; ++index) {
      SampleRandom random(derive_seed(3, static_cast<std::uint64_t>(label), static_cast<std::uint64_t>(index)));
      const double radians = model.sample(NuisanceLaw::Confounded, label, random).hue * pi / 180.0;
      sum_cos += std::cos(radians);
      sum_sin += std::sin(radians);
    }
    const double mean = std::atan2(sum_sin, sum_cos) * 180.0 / pi;
    EXPECT_NEAR(wrap_degrees(mean - model.class_hue_mean(label), -180.0), 0.0, 10.0) << "class " << label;
  }
}

TEST(NuisanceModel, OodHueAndAngleAreClassIndependent) {
  const NuisanceModel model(NuisanceParameters{});
  // Fixed seeds: the test is deterministic; these draws sit well below the 0.1 % critical value.
  EXPECT_LT(chi_square(binned_draws(model, NuisanceLaw::ClassIndependent, 300, true, 4)), chi_square_99_quantile_999);
  EXPECT_LT(chi_square(binned_draws(model, NuisanceLaw::ClassIndependent, 300, false, 5)), chi_square_99_quantile_999);
}

TEST(NuisanceModel, EveryClassCoversTheWholeCircleInTraining) {
  const NuisanceModel model(NuisanceParameters{});
  // Least likely 30-degree bin: 0.1 / 12 from the uniform part alone, so 2000 draws expect >= 16 in it.
  for (const bool hue : {true, false}) {
    const auto counts = binned_draws(model, NuisanceLaw::Confounded, 2000, hue, 6);
    for (int label = 0; label < classes; ++label)
      for (int bin = 0; bin < bins; ++bin)
        EXPECT_GE(counts[static_cast<std::size_t>(label)][static_cast<std::size_t>(bin)], 5)
            << (hue ? "hue" : "angle") << " bin " << bin << " of class " << label;
  }
  // rho = 1 would confound support too: the farthest bins then stay almost empty (the check above can fail).
  NuisanceParameters pure;
  pure.rho = 1.0;
  pure.hue_concentration = 20;
  const auto counts = binned_draws(NuisanceModel(pure), NuisanceLaw::Confounded, 2000, true, 6);
  EXPECT_EQ(counts[0][6], 0);
}

TEST(NuisanceModel, OtherNuisancesStayInTheirRanges) {
  const NuisanceParameters parameters;
  const NuisanceModel model(parameters);
  SampleRandom random(9);
  for (int index = 0; index < 2000; ++index) {
    const Nuisances value = model.sample(NuisanceLaw::Confounded, index % classes, random);
    EXPECT_GE(value.scale, parameters.scale_min);
    EXPECT_LT(value.scale, parameters.scale_max);
    EXPECT_GE(value.center_x, 0.5 - parameters.center_spread);
    EXPECT_LT(value.center_y, 0.5 + parameters.center_spread);
    EXPECT_GE(value.hue, 0.0);
    EXPECT_LT(value.hue, 360.0);
    EXPECT_GE(value.angle, -180.0);
    EXPECT_LT(value.angle, 180.0);
  }
}

TEST(NuisanceModel, ClassMeansAreDistinctAndParametersAreChecked) {
  const NuisanceModel model(NuisanceParameters{});
  std::vector<double> angles;
  for (int label = 0; label < classes; ++label) angles.push_back(model.class_angle_mean(label));
  std::sort(angles.begin(), angles.end());
  EXPECT_EQ(std::adjacent_find(angles.begin(), angles.end()), angles.end());
  NuisanceParameters bad;
  bad.rho = 1.5;
  EXPECT_THROW(NuisanceModel{bad}, Error);
  bad = NuisanceParameters{};
  bad.angle_mean_stride = 5;  // shares a factor with 10 classes: two classes would share a mean angle
  EXPECT_THROW(NuisanceModel{bad}, Error);
}

TEST(ConfoundMeasure, MeasuredMatchesPopulationAndSeparatesTheLaws) {
  const NuisanceModel model(NuisanceParameters{});
  for (const NuisanceLaw law : {NuisanceLaw::Confounded, NuisanceLaw::ClassIndependent}) {
    std::vector<double> hues, angles;
    std::vector<int> labels;
    for (int index = 0; index < 20000; ++index) {
      SampleRandom random(derive_seed(11, 0, static_cast<std::uint64_t>(index)));
      const Nuisances value = model.sample(law, index % classes, random);
      hues.push_back(value.hue);
      angles.push_back(value.angle);
      labels.push_back(index % classes);
    }
    const ConfoundAccuracy measured = measure_confound(hues, angles, labels, classes);
    const ConfoundAccuracy population = population_confound(model, law);
    // 10000 test samples per fold: binomial standard error ~0.005; fitting on 10000 costs a little more.
    EXPECT_NEAR(measured.hue_and_angle, population.hue_and_angle, 0.03);
    EXPECT_NEAR(measured.hue_only, population.hue_only, 0.03);
    EXPECT_DOUBLE_EQ(measured.chance, 0.1);
  }
  EXPECT_GT(population_confound(model, NuisanceLaw::Confounded).hue_and_angle, 0.6);
  EXPECT_NEAR(population_confound(model, NuisanceLaw::ClassIndependent).hue_and_angle, 0.1, 1e-9);
}

TEST(ConfoundMeasure, PerfectlyPredictiveHueScoresOne) {
  std::vector<double> hues, angles;
  std::vector<int> labels;
  for (int index = 0; index < 400; ++index) {
    labels.push_back(index % 4);
    hues.push_back(30.0 * (index % 4) + 10.0);
    angles.push_back(0.0);
  }
  const ConfoundAccuracy accuracy = measure_confound(hues, angles, labels, 4);
  EXPECT_DOUBLE_EQ(accuracy.hue_only, 1.0);
  EXPECT_DOUBLE_EQ(accuracy.hue_and_angle, 1.0);
  // One angle bin: every prediction is the fitting half's majority label, right for about a quarter of the
  // other half (200 samples: binomial standard error 0.03, so 0.1 is over three).
  EXPECT_NEAR(accuracy.angle_only, 0.25, 0.1);
}

TEST(NuisanceModel, DerivedSeedsDependOnEveryPart) {
  EXPECT_EQ(derive_seed(1, 2, 3), derive_seed(1, 2, 3));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(2, 2, 3));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(1, 3, 3));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(1, 2, 4));
  EXPECT_NE(derive_seed(1, 2, 3), derive_seed(1, 3, 2));
}

}  // namespace
}  // namespace genint::io::scenes
