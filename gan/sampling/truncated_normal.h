// Truncated-normal latent codes as BigGAN samples them: N(0,1) restricted to [-2, 2], times truncation t.
// One seed per sample, so any single sample can be regenerated without replaying a batch.
#pragma once

#include <cstdint>
#include <vector>

namespace genint {

// Draws `dimension` values of N(0,1) conditioned on |x| <= bound (rejection), from one 64-bit seed.
void truncated_normal(std::uint64_t seed, int dimension, float bound, float* output);

// pytorch-pretrained-biggan's truncated_noise_sample: truncnorm(-2, 2) * truncation, one seed per row.
std::vector<float> biggan_latents(const std::vector<std::uint64_t>& sample_seeds, int latent_dimension,
                                  float truncation);

}  // namespace genint
