// xoshiro256** (Blackman & Vigna) seeded through splitmix64, and the uniform draws built on it.
// Written out rather than taken from <random> so a seed means the same crop on every platform.
#include "io/transforms/sample_random.h"

#include "nn/core/error.h"

namespace genint::io {
namespace {

std::uint64_t rotate_left(std::uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

}  // namespace

SampleRandom::SampleRandom(std::uint64_t seed) {
  // The splitmix64 generator's first four outputs: never four zero words, the one state xoshiro cannot leave.
  for (std::uint64_t word = 0; word < 4; ++word) state_[word] = splitmix64(seed + word * 0x9E3779B97F4A7C15ull);
}

std::uint64_t SampleRandom::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

double SampleRandom::uniform(double low, double high) {
  const double unit = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;  // [0, 1) with 53 bits
  return low + (high - low) * unit;
}

std::int64_t SampleRandom::integer_inclusive(std::int64_t low, std::int64_t high) {
  GENINT_CHECK(low <= high, "SampleRandom::integer_inclusive: low > high");
  const std::uint64_t range = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low) + 1;
  if (range == 0) return static_cast<std::int64_t>(next_u64());  // the full 64-bit range
  // Rejection keeps every value equally likely: draws from the top partial block are redrawn.
  const std::uint64_t limit = ~std::uint64_t{0} - (~std::uint64_t{0} % range);
  std::uint64_t draw = next_u64();
  while (draw >= limit) draw = next_u64();
  return low + static_cast<std::int64_t>(draw % range);
}

bool SampleRandom::coin(double probability_true) {
  return uniform(0.0, 1.0) < probability_true;
}

}  // namespace genint::io
