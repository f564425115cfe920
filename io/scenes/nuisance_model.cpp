// Sampling and densities of the fashion-scenes nuisances. The confounded law confounds frequencies, not
// support: the uniform component (weight 1 - rho) puts every hue and angle into every class.
#include "io/scenes/nuisance_model.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

constexpr double pi = 3.14159265358979323846;
constexpr double degrees_per_radian = 180.0 / pi;

void check_range(double value, double low, double high, const std::string& name) {
  GENINT_CHECK(std::isfinite(value) && value >= low && value <= high,
               "fashion-scenes: " + name + " = " + std::to_string(value) + " is outside [" + std::to_string(low) +
                   ", " + std::to_string(high) + "]");
}

}  // namespace

const char* texture_kind_name(TextureKind kind) {
  static const char* const names[] = {"stripes", "checker", "noise"};
  const auto index = static_cast<std::size_t>(kind);
  return index < std::size(names) ? names[index] : "?";
}

double wrap_degrees(double degrees, double low) {
  double wrapped = std::fmod(degrees - low, 360.0);
  if (wrapped < 0) wrapped += 360.0;
  if (wrapped >= 360.0) wrapped = 0;  // fmod of a tiny negative can round up to exactly 360
  return low + wrapped;
}

double sample_von_mises_degrees(double mean_degrees, double kappa, SampleRandom& random) {
  if (kappa < 1e-8) return wrap_degrees(random.uniform(0.0, 360.0), mean_degrees - 180.0);
  // Best & Fisher (1979), as in numpy's random.vonmises for moderate kappa.
  const double tau = 1.0 + std::sqrt(1.0 + 4.0 * kappa * kappa);
  const double rho = (tau - std::sqrt(2.0 * tau)) / (2.0 * kappa);
  const double r = (1.0 + rho * rho) / (2.0 * rho);
  double f = 0;
  for (;;) {
    const double u1 = random.uniform(0.0, 1.0);
    const double u2 = random.uniform(0.0, 1.0);
    const double z = std::cos(pi * u1);
    f = (1.0 + r * z) / (r + z);
    const double c = kappa * (r - f);
    if (c * (2.0 - c) - u2 > 0.0) break;
    if (u2 > 0.0 && std::log(c / u2) + 1.0 - c >= 0.0) break;
  }
  const double offset = std::acos(std::max(-1.0, std::min(1.0, f))) * degrees_per_radian;
  return mean_degrees + (random.uniform(0.0, 1.0) < 0.5 ? -offset : offset);
}

double von_mises_density_per_degree(double degrees, double mean_degrees, double kappa) {
  const double radians = (degrees - mean_degrees) / degrees_per_radian;
  // exp(kappa (cos - 1)) / (2 pi I0(kappa) exp(-kappa)) keeps large kappa from overflowing.
  const double scaled_bessel = std::cyl_bessel_i(0.0, kappa) * std::exp(-kappa);
  return std::exp(kappa * (std::cos(radians) - 1.0)) / (2.0 * pi * scaled_bessel) / degrees_per_radian;
}

std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ stream) ^ index);
}

NuisanceModel::NuisanceModel(const NuisanceParameters& parameters) : parameters_(parameters) {
  GENINT_CHECK(parameters.class_count >= 1 && parameters.class_count <= 1000,
               "fashion-scenes: class_count " + std::to_string(parameters.class_count) + " is outside [1, 1000]");
  check_range(parameters.rho, 0.0, 1.0, "rho");
  check_range(parameters.hue_concentration, 0.0, 500.0, "hue concentration");
  check_range(parameters.angle_concentration, 0.0, 500.0, "angle concentration");
  GENINT_CHECK(parameters.angle_mean_stride >= 1 && std::gcd(parameters.angle_mean_stride, parameters.class_count) == 1,
               "fashion-scenes: angle_mean_stride " + std::to_string(parameters.angle_mean_stride) +
                   " must be coprime with the class count, so every class gets its own mean angle");
  check_range(parameters.scale_min, 0.05, 4.0, "scale_min");
  check_range(parameters.scale_max, parameters.scale_min, 4.0, "scale_max");
  check_range(parameters.center_spread, 0.0, 0.5, "center_spread");
  check_range(parameters.frequency_min, 0.5, 64.0, "frequency_min");
  check_range(parameters.frequency_max, parameters.frequency_min, 64.0, "frequency_max");
}

double NuisanceModel::class_hue_mean(int label) const {
  return 360.0 * label / parameters_.class_count;
}

double NuisanceModel::class_angle_mean(int label) const {
  const int slot = (label * parameters_.angle_mean_stride) % parameters_.class_count;
  return wrap_degrees(360.0 * slot / parameters_.class_count, -180.0);
}

Nuisances NuisanceModel::sample(NuisanceLaw law, int label, SampleRandom& random) const {
  GENINT_CHECK(label >= 0 && label < parameters_.class_count,
               "fashion-scenes: label " + std::to_string(label) + " is outside the class range");
  Nuisances nuisances;
  // The mixture choice is drawn for hue and angle separately: a class-typical hue says nothing about
  // whether the pose is class-typical too, so both marginals are exactly rho*vM + (1-rho)*uniform.
  const bool typical_hue = law == NuisanceLaw::Confounded && random.coin(parameters_.rho);
  nuisances.hue =
      typical_hue
          ? wrap_degrees(sample_von_mises_degrees(class_hue_mean(label), parameters_.hue_concentration, random), 0.0)
          : random.uniform(0.0, 360.0);
  const bool typical_angle = law == NuisanceLaw::Confounded && random.coin(parameters_.rho);
  nuisances.angle =
      typical_angle
          ? wrap_degrees(sample_von_mises_degrees(class_angle_mean(label), parameters_.angle_concentration, random),
                         -180.0)
          : random.uniform(-180.0, 180.0);
  nuisances.texture = static_cast<TextureKind>(random.integer_inclusive(0, 2));
  nuisances.texture_frequency = random.uniform(parameters_.frequency_min, parameters_.frequency_max);
  nuisances.texture_orientation = random.uniform(0.0, 180.0);
  nuisances.texture_phase = random.uniform(0.0, 1.0);
  nuisances.scale = random.uniform(parameters_.scale_min, parameters_.scale_max);
  nuisances.center_x = random.uniform(0.5 - parameters_.center_spread, 0.5 + parameters_.center_spread);
  nuisances.center_y = random.uniform(0.5 - parameters_.center_spread, 0.5 + parameters_.center_spread);
  return nuisances;
}

double NuisanceModel::hue_density(NuisanceLaw law, int label, double hue) const {
  const double uniform = 1.0 / 360.0;
  if (law == NuisanceLaw::ClassIndependent) return uniform;
  return parameters_.rho * von_mises_density_per_degree(hue, class_hue_mean(label), parameters_.hue_concentration) +
         (1.0 - parameters_.rho) * uniform;
}

double NuisanceModel::angle_density(NuisanceLaw law, int label, double angle) const {
  const double uniform = 1.0 / 360.0;
  if (law == NuisanceLaw::ClassIndependent) return uniform;
  return parameters_.rho *
             von_mises_density_per_degree(angle, class_angle_mean(label), parameters_.angle_concentration) +
         (1.0 - parameters_.rho) * uniform;
}

}  // namespace genint::io::scenes
