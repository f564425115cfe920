// The epoch shuffle and shard split. A Feistel permutation replaces a stored Fisher-Yates shuffle so
// that workers in different epochs at an epoch boundary need no shared, rebuilt state.
#include "loader/order/shard_order.h"

#include "io/transforms/sample_random.h"
#include "nn/core/error.h"

namespace genint::loader {

using io::splitmix64;

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c, std::uint64_t d) {
  std::uint64_t state = splitmix64(a);
  state = splitmix64(state ^ b);
  state = splitmix64(state ^ c);
  return splitmix64(state ^ d);
}

KeyedPermutation::KeyedPermutation(std::uint64_t size, std::uint64_t key) : size_(size) {
  GENINT_CHECK(size > 0, "a permutation needs at least one element");
  // Two halves of half_bits_ each cover [0, 4^half_bits_) ⊇ [0, size): at most 4× the range, so the
  // cycle walk takes under four steps on average.
  while ((std::uint64_t{1} << (2 * half_bits_)) < size && half_bits_ < 31) ++half_bits_;
  if (half_bits_ == 0) half_bits_ = 1;
  half_mask_ = (std::uint64_t{1} << half_bits_) - 1;
  for (int round = 0; round < 4; ++round) round_keys_[round] = mix_seed(key, static_cast<std::uint64_t>(round), 0x5EED);
}

std::uint64_t KeyedPermutation::round_function(std::uint64_t half, int round) const {
  return splitmix64(half ^ round_keys_[round]) & half_mask_;
}

std::uint64_t KeyedPermutation::operator()(std::uint64_t position) const {
  GENINT_CHECK(position < size_,
               "permutation position " + std::to_string(position) + " is outside [0, " + std::to_string(size_) + ")");
  std::uint64_t value = position;
  do {
    std::uint64_t left = value >> half_bits_, right = value & half_mask_;
    for (int round = 0; round < 4; ++round) {
      const std::uint64_t next_right = left ^ round_function(right, round);
      left = right;
      right = next_right;
    }
    value = (left << half_bits_) | right;
  } while (value >= size_);
  return value;
}

ShardedOrder::ShardedOrder(std::uint64_t dataset_size, std::uint64_t seed, int rank, int world_size)
    : dataset_size_(dataset_size),
      seed_(seed),
      rank_(static_cast<std::uint64_t>(rank)),
      world_size_(static_cast<std::uint64_t>(world_size)) {
  GENINT_CHECK(world_size >= 1, "shard world_size must be at least 1, got " + std::to_string(world_size));
  GENINT_CHECK(rank >= 0 && rank < world_size,
               "shard rank " + std::to_string(rank) + " is outside [0, " + std::to_string(world_size) + ")");
  GENINT_CHECK(dataset_size >= world_size_, "the dataset has " + std::to_string(dataset_size) +
                                                " items, fewer than the " + std::to_string(world_size) + " shards");
  shard_size_ = (dataset_size_ - rank_ + world_size_ - 1) / world_size_;
}

std::uint64_t ShardedOrder::item(std::uint64_t epoch, std::uint64_t position) const {
  GENINT_CHECK(position < shard_size_, "shard position " + std::to_string(position) + " is outside the shard of " +
                                           std::to_string(shard_size_) + " items");
  const KeyedPermutation permutation(dataset_size_, mix_seed(seed_, epoch, 0xE90C));
  return permutation(position * world_size_ + rank_);
}

}  // namespace genint::loader
