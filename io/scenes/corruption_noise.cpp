// The benchmark's corruption noise drawn from a per-image SampleRandom. Box–Muller keeps one value of each pair
// (the other would need state across calls, and the cost is nothing at these image sizes).
#include "io/scenes/corruption_noise.h"

#include <cmath>

#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

constexpr double pi = 3.14159265358979323846;

}  // namespace

void SampledCorruptionNoise::standard_normals(double* values, std::size_t count) {
  for (std::size_t index = 0; index < count; ++index) {
    const double radius = std::sqrt(-2.0 * std::log(1.0 - random_.uniform(0.0, 1.0)));
    values[index] = radius * std::cos(2.0 * pi * random_.uniform(0.0, 1.0));
  }
}

void SampledCorruptionNoise::uniforms(double* values, std::size_t count) {
  for (std::size_t index = 0; index < count; ++index) values[index] = random_.uniform(0.0, 1.0);
}

void SampledCorruptionNoise::integers(int low, int high, int* values, std::size_t count) {
  GENINT_CHECK(low < high, "SampledCorruptionNoise::integers: empty range");
  for (std::size_t index = 0; index < count; ++index)
    values[index] = static_cast<int>(random_.integer_inclusive(low, high - 1));
}

}  // namespace genint::io::scenes
