// Rejection sampling of the standard normal inside [-bound, bound]. With bound 2 the acceptance
// rate is 95.4 %, so rejection is cheaper and exacter than an inverse-CDF approximation.
#include "gan/sampling/truncated_normal.h"

#include <random>

#include "nn/core/error.h"

namespace genint {

void truncated_normal(std::uint64_t seed, int dimension, float bound, float* output) {
  GENINT_CHECK(dimension >= 0, "truncated_normal: negative dimension");
  GENINT_CHECK(bound > 0.0f, "truncated_normal: bound must be positive");
  std::mt19937_64 generator(seed);
  std::normal_distribution<double> standard_normal(0.0, 1.0);
  const double limit = bound;
  for (int index = 0; index < dimension; ++index) {
    double value = standard_normal(generator);
    while (value < -limit || value > limit) value = standard_normal(generator);
    output[index] = static_cast<float>(value);
  }
}

std::vector<float> biggan_latents(const std::vector<std::uint64_t>& sample_seeds, int latent_dimension,
                                  float truncation) {
  GENINT_CHECK(truncation > 0.0f && truncation <= 1.0f, "BigGAN truncation must lie in (0, 1]");
  GENINT_CHECK(latent_dimension > 0, "latent dimension must be positive");
  constexpr float biggan_truncation_bound = 2.0f;  // pytorch-pretrained-biggan: truncnorm.rvs(-2, 2)
  std::vector<float> latents(sample_seeds.size() * static_cast<std::size_t>(latent_dimension));
  for (std::size_t row = 0; row < sample_seeds.size(); ++row) {
    float* latent = latents.data() + row * static_cast<std::size_t>(latent_dimension);
    truncated_normal(sample_seeds[row], latent_dimension, biggan_truncation_bound, latent);
    for (int index = 0; index < latent_dimension; ++index) latent[index] *= truncation;
  }
  return latents;
}

}  // namespace genint
