// Mixup's pieces: the blends against hand computation, the pairs, the Beta(α, α) draws against the Beta CDF
// (Kolmogorov–Smirnov), and one batch mixed in place with every sample's partner, label and λ checked.
#include "loader/pipeline/batch_mixup.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>
#include <set>
#include <vector>

#include "loader/pipeline/beta_cdf.h"

namespace genint::loader {
namespace {

using testing::beta_cdf;

// Kolmogorov's critical value at significance 0.001: sqrt(−ln(0.001 / 2) / 2) = 1.9495, over sqrt(n). The draws are
// seeded, so each check has one fixed outcome; the significance says how unlikely that outcome is under a correct
// sampler, and the power checks below show the statistic does reject a wrong distribution.
double ks_critical_value(std::size_t draws) {
  return 1.9495 / std::sqrt(static_cast<double>(draws));
}

// sup |F_n − F| for continuous F.
double ks_statistic(std::vector<double> draws, double a, double b) {
  std::sort(draws.begin(), draws.end());
  const double n = static_cast<double>(draws.size());
  double largest = 0.0;
  for (std::size_t index = 0; index < draws.size(); ++index) {
    const double cdf = beta_cdf(draws[index], a, b);
    largest = std::max({largest, (static_cast<double>(index) + 1.0) / n - cdf, cdf - static_cast<double>(index) / n});
  }
  return largest;
}

// The same for λ delivered in units of 1/quantum, against Beta rounded to the nearest unit: both CDFs jump only at
// whole units, so the supremum is the largest difference at a unit. (KS with a discrete null is conservative.)
double ks_statistic_quantized(const std::vector<std::uint32_t>& units, std::uint32_t quantum, double a) {
  std::vector<double> histogram(quantum + 1, 0.0);
  for (const std::uint32_t unit : units) histogram.at(unit) += 1.0;
  double empirical = 0.0, largest = 0.0;
  for (std::uint32_t unit = 0; unit <= quantum; ++unit) {
    empirical += histogram[unit] / static_cast<double>(units.size());
    const double rounded_cdf = unit == quantum ? 1.0 : beta_cdf((unit + 0.5) / quantum, a, a);
    largest = std::max(largest, std::fabs(empirical - rounded_cdf));
  }
  return largest;
}

TEST(BatchMixup, BetaCdfHelperMatchesClosedForms) {
  EXPECT_NEAR(beta_cdf(0.5, 0.4, 0.4), 0.5, 1e-12);  // symmetry
  EXPECT_NEAR(beta_cdf(0.3, 1.0, 1.0), 0.3, 1e-12);  // uniform
  for (double x : {0.1, 0.37, 0.8}) EXPECT_NEAR(beta_cdf(x, 2.0, 2.0), 3 * x * x - 2 * x * x * x, 1e-12);
  // Beta(1/2, 1/2) is the arcsine law: 2/π · asin(√x).
  EXPECT_NEAR(beta_cdf(0.2, 0.5, 0.5), 2.0 / M_PI * std::asin(std::sqrt(0.2)), 1e-10);
}

TEST(BatchMixup, Uint8BlendRoundsHalfUpAsComputedByHand) {
  std::uint8_t first[3] = {200, 0, 255}, second[3] = {10, 255, 255};
  blend_uint8_pair(first, second, 3, 64);  // λ = 64/256 = 0.25
  // 0.25·200 + 0.75·10 = 57.5 → 58; 0.25·10 + 0.75·200 = 152.5 → 153; 0.75·255 = 191.25 → 191;
  // 0.25·255 = 63.75 → 64; equal inputs stay.
  EXPECT_EQ(first[0], 58);
  EXPECT_EQ(second[0], 153);
  EXPECT_EQ(first[1], 191);
  EXPECT_EQ(second[1], 64);
  EXPECT_EQ(first[2], 255);
  EXPECT_EQ(second[2], 255);
  std::uint8_t keep = 17, other = 99;
  blend_uint8_pair(&keep, &other, 1, 256);  // λ = 1: unchanged
  EXPECT_EQ(keep, 17);
  EXPECT_EQ(other, 99);
  blend_uint8_pair(&keep, &other, 1, 0);  // λ = 0: swapped
  EXPECT_EQ(keep, 99);
  EXPECT_EQ(other, 17);
}

// Every kernel this CPU runs (the portable loops, SSE2, AVX2), on every pair of bytes and every λ.
TEST(BatchMixup, Uint8BlendIsExactlyRoundHalfUpForEveryInputLambdaAndKernel) {
  std::vector<std::uint8_t> first(256 * 256), second(256 * 256);
  for (const MixupKernel kernel : {MixupKernel::Portable, MixupKernel::Sse2, MixupKernel::Avx2}) {
    if (!mixup_kernel_available(kernel)) continue;
    for (std::uint32_t units = 0; units <= mixup_uint8_quantum; units += 1) {
      for (int a = 0; a < 256; ++a)
        for (int b = 0; b < 256; ++b) {
          first[static_cast<std::size_t>(a * 256 + b)] = static_cast<std::uint8_t>(a);
          second[static_cast<std::size_t>(a * 256 + b)] = static_cast<std::uint8_t>(b);
        }
      blend_uint8_pair_with(kernel, first.data(), second.data(), first.size(), units);
      const double lambda = units / 256.0;  // exact in double, as are the products below
      int wrong = 0;
      for (int a = 0; a < 256; ++a)
        for (int b = 0; b < 256; ++b) {
          const auto index = static_cast<std::size_t>(a * 256 + b);
          wrong += first[index] != std::floor(lambda * a + (1 - lambda) * b + 0.5);
          wrong += second[index] != std::floor(lambda * b + (1 - lambda) * a + 0.5);
        }
      ASSERT_EQ(wrong, 0) << "kernel " << static_cast<int>(kernel) << " λ = " << units << "/256";
    }
  }
}

TEST(BatchMixup, FloatBlendIsTheConvexCombination) {
  float first[2] = {-2.0f, 1.5f}, second[2] = {2.0f, 1.5f};
  blend_float_pair(first, second, 2, 16384);  // λ = 0.25: all values below are exact in float
  EXPECT_EQ(first[0], 1.0f);                  // 0.25·(−2) + 0.75·2
  EXPECT_EQ(second[0], -1.0f);                // 0.25·2 + 0.75·(−2)
  EXPECT_EQ(first[1], 1.5f);
  EXPECT_EQ(second[1], 1.5f);
}

TEST(BatchMixup, LambdasDependOnTheBatchSeedAndPairOnly) {
  std::set<std::uint32_t> distinct;
  for (int pair = 0; pair < 32; ++pair) {
    const std::uint32_t units = mixup_lambda_units(0.4, 11, pair, 256);
    EXPECT_LE(units, 256u);
    EXPECT_EQ(units, mixup_lambda_units(0.4, 11, pair, 256));
    distinct.insert(units);
  }
  EXPECT_GT(distinct.size(), 16u) << "pairs must draw their own λ";
  int same = 0;
  for (int pair = 0; pair < 32; ++pair)
    same += mixup_lambda_units(0.4, 11, pair, 65536) == mixup_lambda_units(0.4, 12, pair, 65536);
  EXPECT_LT(same, 4) << "another batch seed must give other λ's";
  EXPECT_NE(BatchMixup::batch_seed(1, 2, 0), BatchMixup::batch_seed(1, 3, 0));
  EXPECT_NE(BatchMixup::batch_seed(1, 2, 0), BatchMixup::batch_seed(1, 2, 1));
}

// Each SIMD kernel this CPU runs gives the portable loops' bits, on a length that leaves a tail for the loop.
TEST(BatchMixup, EveryKernelEqualsThePortableLoops) {
  std::vector<std::uint8_t> a(150000 + 29), b(a.size());
  std::vector<float> f(a.size()), g(a.size());
  for (std::size_t index = 0; index < a.size(); ++index) {
    a[index] = static_cast<std::uint8_t>(index * 2654435761u >> 24);
    b[index] = static_cast<std::uint8_t>(index * 40503u >> 8);
    f[index] = static_cast<float>(a[index]) / 37.0f - 2.0f;
    g[index] = static_cast<float>(b[index]) / 51.0f - 2.5f;
  }
  int kernels = 0;
  for (const MixupKernel kernel : {MixupKernel::Sse2, MixupKernel::Avx2}) {
    if (!mixup_kernel_available(kernel)) continue;
    ++kernels;
    for (const std::uint32_t units : {0u, 1u, 77u, 128u, 255u, 256u}) {
      std::vector<std::uint8_t> a1 = a, b1 = b, a2 = a, b2 = b;
      blend_uint8_pair_with(kernel, a1.data(), b1.data(), a1.size(), units);
      blend_uint8_pair_with(MixupKernel::Portable, a2.data(), b2.data(), a2.size(), units);
      EXPECT_EQ(a1, a2) << "kernel " << static_cast<int>(kernel) << " λ " << units << "/256";
      EXPECT_EQ(b1, b2) << "kernel " << static_cast<int>(kernel) << " λ " << units << "/256";
      std::vector<float> f1 = f, g1 = g, f2 = f, g2 = g;
      blend_float_pair_with(kernel, f1.data(), g1.data(), f1.size(), units * 256 + 3);
      blend_float_pair_with(MixupKernel::Portable, f2.data(), g2.data(), f2.size(), units * 256 + 3);
      EXPECT_EQ(std::memcmp(f1.data(), f2.data(), f1.size() * sizeof(float)), 0);
      EXPECT_EQ(std::memcmp(g1.data(), g2.data(), g1.size() * sizeof(float)), 0);
    }
  }
#if defined(__x86_64__)
  EXPECT_GE(kernels, 1) << "x86-64 always has SSE2";
#endif
}

TEST(BatchMixup, BetaDrawsFollowBetaAlphaAlpha) {
  for (double alpha : {0.4, 1.0, 2.0}) {
    io::SampleRandom random(alpha == 0.4 ? 1 : 2);
    std::vector<double> draws(50000);
    for (double& draw : draws) draw = draw_symmetric_beta(alpha, random);
    EXPECT_LT(ks_statistic(draws, alpha, alpha), ks_critical_value(draws.size())) << "alpha " << alpha;
    // Power: the same draws are far from a neighbouring distribution.
    EXPECT_GT(ks_statistic(draws, alpha * 1.5, alpha * 1.5), ks_critical_value(draws.size())) << "alpha " << alpha;
  }
}

// λ as delivered: 625 batches × 32 pairs, seeded per batch and pair as the loader seeds them.
TEST(BatchMixup, DeliveredLambdasFollowBetaPointFourRoundedToTheQuantum) {
  for (const std::uint32_t quantum : {mixup_uint8_quantum, mixup_float_quantum}) {
    std::vector<std::uint32_t> units;
    for (std::uint64_t batch = 0; batch < 625; ++batch)
      for (int pair = 0; pair < 32; ++pair)
        units.push_back(mixup_lambda_units(0.4, BatchMixup::batch_seed(7, batch, 0), pair, quantum));
    EXPECT_LT(ks_statistic_quantized(units, quantum, 0.4), ks_critical_value(units.size())) << quantum;
    EXPECT_GT(ks_statistic_quantized(units, quantum, 1.0), ks_critical_value(units.size())) << quantum;
  }
}

TEST(BatchMixup, MixesEachNaturalSourceWithinItselfAndReportsPartnersLabelsAndLambdas) {
  constexpr int batch_size = 9, sample_bytes = 12;
  // Natural samples at 0..4 (source 0) and 7..8 (source 2); 5..6 are generated (source 1) and stay unmixed.
  BatchMixup mixup(0.4, 99, {{0, 5, 0}, {7, 2, 2}}, sample_bytes, false);
  std::vector<std::uint8_t> images(batch_size * sample_bytes);
  for (std::size_t byte = 0; byte < images.size(); ++byte) images[byte] = static_cast<std::uint8_t>(byte * 37 % 251);
  const std::vector<std::uint8_t> original = images;
  std::vector<std::int32_t> labels(batch_size), partners(batch_size), partner_labels(batch_size);
  std::iota(labels.begin(), labels.end(), 100);
  std::vector<float> lambdas(batch_size);
  mixup.mix(42, images.data(), batch_size, labels.data(), partners.data(), partner_labels.data(), lambdas.data());

  // Neighbours pair up: (0, 1) and (2, 3) in source 0 (4 is left out), (7, 8) in source 2.
  const std::vector<std::int32_t> expected_partner = {1, 0, 3, 2, 4, 5, 6, 8, 7};
  const std::uint64_t seed_0 = BatchMixup::batch_seed(99, 42, 0), seed_2 = BatchMixup::batch_seed(99, 42, 2);
  const std::vector<std::uint32_t> expected_units = {mixup_lambda_units(0.4, seed_0, 0, 256),
                                                     mixup_lambda_units(0.4, seed_0, 0, 256),
                                                     mixup_lambda_units(0.4, seed_0, 1, 256),
                                                     mixup_lambda_units(0.4, seed_0, 1, 256),
                                                     256,
                                                     256,
                                                     256,
                                                     mixup_lambda_units(0.4, seed_2, 0, 256),
                                                     mixup_lambda_units(0.4, seed_2, 0, 256)};
  int mixed = 0;
  for (int sample = 0; sample < batch_size; ++sample) {
    const auto index = static_cast<std::size_t>(sample);
    const int partner = partners[index];
    ASSERT_EQ(partner, expected_partner[index]) << "sample " << sample;
    EXPECT_EQ(partners[static_cast<std::size_t>(partner)], sample) << "pairs are mutual";
    EXPECT_EQ(partner_labels[index], 100 + partner);
    EXPECT_EQ(lambdas[index], expected_units[index] / 256.0f);
    EXPECT_EQ(lambdas[index], lambdas[static_cast<std::size_t>(partner)]);
    if (sample == 5 || sample == 6) {
      EXPECT_EQ(partner, sample) << "generated samples are never mixed";
    }
    if (sample >= 7) {
      EXPECT_GE(partner, 7) << "source 2 mixes within itself";
    }
    if (sample < 5 && partner != sample) {
      EXPECT_LT(partner, 5) << "source 0 mixes within itself";
    }
    mixed += partner != sample;
    const double lambda = lambdas[index];
    for (int byte = 0; byte < sample_bytes; ++byte) {
      const double own = original[index * sample_bytes + static_cast<std::size_t>(byte)];
      const double other = original[static_cast<std::size_t>(partner) * sample_bytes + static_cast<std::size_t>(byte)];
      ASSERT_EQ(images[index * sample_bytes + static_cast<std::size_t>(byte)],
                std::floor(lambda * own + (1.0 - lambda) * other + 0.5))
          << "sample " << sample << " byte " << byte;
    }
  }
  EXPECT_EQ(mixed, 6) << "two pairs of five (one left out) and one pair of two";
  EXPECT_EQ(mixup.pairs(), 3u);
  EXPECT_GE(mixup.cpu_seconds(), 0.0);
}

// What a timm/torchvision user computes, done independently in double: pairs (0, 1), (2, 3) with λ ~ Beta(α, α) per
// pair (timm's "pair" mode; the draws' law is the KS tests' business), x_i ← λ·x_i + (1 − λ)·x_partner, and the
// soft-target loss −Σ_c t_c·log softmax(z)_c with t = λ·onehot(y_i) + (1 − λ)·onehot(y_partner). The batch's
// pixels must be that x, and λ·CE(labels[i]) + (1 − λ)·CE(partner_labels[i]) from its extras that loss.
TEST(BatchMixup, FloatBatchAndLossMatchTheSoftTargetReference) {
  constexpr int batch_size = 5, values = 7, classes = 4;
  BatchMixup mixup(0.4, 3, {{0, batch_size, 0}}, values * sizeof(float), true);
  std::vector<float> images(batch_size * values);
  for (std::size_t value = 0; value < images.size(); ++value)
    images[value] = static_cast<float>(static_cast<int>(value * 37 % 101) - 50) / 23.0f;  // roughly normalised
  const std::vector<float> original = images;
  const std::vector<std::int32_t> labels = {2, 0, 3, 3, 1};
  std::vector<std::int32_t> partners(batch_size), partner_labels(batch_size);
  std::vector<float> lambdas(batch_size);
  mixup.mix(8, reinterpret_cast<std::uint8_t*>(images.data()), batch_size, labels.data(), partners.data(),
            partner_labels.data(), lambdas.data());

  const std::uint64_t seed = BatchMixup::batch_seed(3, 8, 0);
  std::array<double, classes> logits{};
  for (int sample = 0; sample < batch_size; ++sample) {
    const auto index = static_cast<std::size_t>(sample);
    const int partner = sample == batch_size - 1 ? sample : (sample ^ 1);  // the odd one out keeps itself
    const double lambda = partner == sample
                              ? 1.0
                              : mixup_lambda_units(0.4, seed, sample / 2, mixup_uint8_quantum) / 256.0;  // every layout
    ASSERT_EQ(partners[index], partner);
    ASSERT_EQ(static_cast<double>(lambdas[index]), lambda);
    for (int value = 0; value < values; ++value) {
      const double own = original[index * values + static_cast<std::size_t>(value)];
      const double other = original[static_cast<std::size_t>(partner * values + value)];
      const double expected = lambda * own + (1.0 - lambda) * other;
      // Float rounds the two products and the sum once each, half an ulp of a value below 2^2 at most.
      const double tolerance = 3.0 * 0.5 * std::ldexp(1.0, -23) * 4.0;
      EXPECT_NEAR(images[index * values + static_cast<std::size_t>(value)], expected, tolerance)
          << "sample " << sample << " value " << value;
    }
    std::array<double, classes> soft_target{};
    soft_target[static_cast<std::size_t>(labels[index])] += lambda;
    soft_target[static_cast<std::size_t>(labels[static_cast<std::size_t>(partner)])] += 1.0 - lambda;
    for (int c = 0; c < classes; ++c) logits[static_cast<std::size_t>(c)] = std::sin(1.7 * sample + 0.9 * c) * 3.0;
    double normaliser = 0.0;
    for (const double logit : logits) normaliser += std::exp(logit);
    const auto log_softmax = [&](int c) { return logits[static_cast<std::size_t>(c)] - std::log(normaliser); };
    double reference_loss = 0.0;
    for (int c = 0; c < classes; ++c) reference_loss -= soft_target[static_cast<std::size_t>(c)] * log_softmax(c);
    const double lambda_delivered = lambdas[index];
    const double loss_from_extras =
        -lambda_delivered * log_softmax(labels[index]) - (1.0 - lambda_delivered) * log_softmax(partner_labels[index]);
    // Same terms summed in another order in double: a few ulps of a loss of order 1.
    EXPECT_NEAR(loss_from_extras, reference_loss, 1e-12) << "sample " << sample;
  }
}

}  // namespace
}  // namespace genint::loader
