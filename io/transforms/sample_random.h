// A small, portable per-sample random generator (xoshiro256** seeded by splitmix64) with the two draws
// torchvision's transforms need; same 64-bit seed → same sequence on every platform and compiler.
#pragma once

#include <cstdint>

namespace genint::io {

// SplitMix64's output function: a bijection on 64-bit values that scatters neighbouring inputs. The one copy
// every layer above seeds from (gan's seed streams, the loader's shuffle, the scenes' per-image seeds).
constexpr std::uint64_t splitmix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ull;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ull;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBull;
  return value ^ (value >> 31);
}

// std::uniform_*_distribution is implementation-defined, so the draws are written out here to keep a
// loader's seed → pixels mapping identical across standard libraries.
class SampleRandom {
 public:
  explicit SampleRandom(std::uint64_t seed);
  std::uint64_t next_u64();
  // Uniform in [low, high) with 53 random bits.
  double uniform(double low, double high);
  // Uniform integer in [low, high] (inclusive, like torch.randint(low, high + 1)); unbiased.
  std::int64_t integer_inclusive(std::int64_t low, std::int64_t high);
  bool coin(double probability_true);

 private:
  std::uint64_t state_[4];
};

}  // namespace genint::io
