// The nuisance distributions of fashion-scenes: per-class von Mises hue and rotation mixed with uniform
// (training-like splits) or one class-independent law (OOD), plus the exact densities behind them.
#pragma once

#include <cstdint>

#include "io/transforms/sample_random.h"

namespace genint::io::scenes {

enum class TextureKind { Stripes = 0, Checker = 1, Noise = 2 };
const char* texture_kind_name(TextureKind kind);

// Everything that varies from image to image besides the object itself. Angles in degrees.
struct Nuisances {
  double hue = 0;  // background hue, [0, 360)
  TextureKind texture = TextureKind::Stripes;
  double texture_frequency = 0;    // cycles (or noise cells) per image side
  double texture_orientation = 0;  // degrees, [0, 180)
  double texture_phase = 0;        // fraction of a cycle, [0, 1)
  double angle = 0;                // object rotation, [-180, 180), counter-clockwise
  double scale = 0;                // side of the 28x28 item box as a fraction of the image side
  double center_x = 0;             // object centre, fraction of the image width
  double center_y = 0;             // object centre, fraction of the image height
};

// Training, validation and IID test share the confounded law; OOD uses the class-independent one.
enum class NuisanceLaw { Confounded, ClassIndependent };

struct NuisanceParameters {
  int class_count = 10;
  double rho = 0.9;                  // weight of the class-specific von Mises in the confounded law
  double hue_concentration = 4.0;    // von Mises kappa of each class's hue (circular sd ~30 degrees)
  double angle_concentration = 4.0;  // von Mises kappa of each class's rotation
  int angle_mean_stride = 3;         // class c's mean angle sits at slot (c * stride) mod classes
  double scale_min = 0.6, scale_max = 0.95;
  double center_spread = 0.12;  // centre uniform in [0.5 - spread, 0.5 + spread]
  double frequency_min = 1.5, frequency_max = 6.0;
};

class NuisanceModel {
 public:
  // Throws genint::Error naming the parameter when a value is out of range.
  explicit NuisanceModel(const NuisanceParameters& parameters);
  const NuisanceParameters& parameters() const { return parameters_; }

  double class_hue_mean(int label) const;    // 360 * label / classes
  double class_angle_mean(int label) const;  // wrapped to [-180, 180)
  Nuisances sample(NuisanceLaw law, int label, SampleRandom& random) const;

  // Densities per degree of the hue and angle marginals of `label` under `law` (they are independent
  // given the label), used for the population Bayes accuracy.
  double hue_density(NuisanceLaw law, int label, double hue) const;
  double angle_density(NuisanceLaw law, int label, double angle) const;

 private:
  NuisanceParameters parameters_;
};

// Wraps degrees into [low, low + 360).
double wrap_degrees(double degrees, double low);
// One von Mises draw in degrees around `mean_degrees` (Best & Fisher 1979); kappa 0 is uniform.
double sample_von_mises_degrees(double mean_degrees, double kappa, SampleRandom& random);
double von_mises_density_per_degree(double degrees, double mean_degrees, double kappa);

// Per-image seeds: a splitmix64 hash of (seed, stream, index), so an image's pixels do not depend on
// which thread made it or on how many images came before in other splits.
std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream, std::uint64_t index);

}  // namespace genint::io::scenes
