// Where a corruption's random numbers come from: an interface the corruptions draw from in a documented order,
// so that a corrupted image is a function of (clean image, severity, numbers) and a test can feed a reference's own.
#pragma once

#include <cstddef>

#include "io/transforms/sample_random.h"

namespace genint::io::scenes {

// What each corruption draws, in this order (HWC order means row by row, pixel by pixel, R G B):
//   gaussian_noise  standard_normals(H*W*3), HWC order
//   shot_noise      uniforms(H*W*3), HWC order: each value's Poisson count by inversion of the CDF
//   impulse_noise   uniforms(H*W*3) (flipped when <= amount), then uniforms(H*W*3) (salt when <= 0.5, else pepper)
//   glass_blur      per iteration, integers(-delta, delta, 2 * visits): a (dx, dy) pair per visited pixel, rows
//                   and columns from size - delta down to delta + 1
//   motion_blur     uniforms(1): the streak's angle, -45 + 90 u degrees
//   the others      nothing
class CorruptionNoise {
 public:
  virtual ~CorruptionNoise() = default;
  virtual void standard_normals(double* values, std::size_t count) = 0;
  // Each in [0, 1).
  virtual void uniforms(double* values, std::size_t count) = 0;
  // Each uniform in [low, high) (numpy's randint convention); low < high.
  virtual void integers(int low, int high, int* values, std::size_t count) = 0;
};

// The benchmark's source: one image's SampleRandom (normals by Box–Muller, one pair of uniforms per normal).
class SampledCorruptionNoise final : public CorruptionNoise {
 public:
  explicit SampledCorruptionNoise(SampleRandom& random) : random_(random) {}
  void standard_normals(double* values, std::size_t count) override;
  void uniforms(double* values, std::size_t count) override;
  void integers(int low, int high, int* values, std::size_t count) override;

 private:
  SampleRandom& random_;
};

}  // namespace genint::io::scenes
