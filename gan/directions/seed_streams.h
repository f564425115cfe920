// Independent 64-bit random streams derived from one per-sample seed (SplitMix64 finaliser), so a sample's
// class, latent and intervention draws can be regenerated from its seed alone and never share a generator.
#pragma once

#include <cstdint>

#include "io/transforms/sample_random.h"

namespace genint {

using io::splitmix64;

// The seed of stream `stream` of sample seed `seed`; distinct streams of one seed are unrelated generators.
constexpr std::uint64_t derive_seed(std::uint64_t seed, std::uint64_t stream) {
  return splitmix64(splitmix64(seed) ^ splitmix64(stream * 0xd1b54a32d192ed03ULL + 1));
}

// Stream numbers used across gan/: fixed forever, since recorded seeds must regenerate the same sample.
enum class SeedStream : std::uint64_t {
  Class = 1,                // which class a sample gets when the sampler picks it
  Intervention = 2,         // direction j and step s'
  DiscoverySample = 3,      // direction discovery: per-sample seeds of the PCA pass
  DiscoveryRegression = 4,  // and of the regression pass
};

constexpr std::uint64_t derive_seed(std::uint64_t seed, SeedStream stream) {
  return derive_seed(seed, static_cast<std::uint64_t>(stream));
}

}  // namespace genint
