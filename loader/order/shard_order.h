// Which dataset item a sample position names: a per-epoch shuffle keyed by (seed, epoch), dealt
// round-robin into (rank, world size) shards, plus the 64-bit seed mixing every derived seed uses.
#pragma once

#include <cstdint>

namespace genint::loader {

// splitmix64's finaliser over the combination of its inputs: cheap, and every input bit matters.
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b, std::uint64_t c = 0, std::uint64_t d = 0);

// A bijection of [0, size) chosen by `key`: a balanced Feistel network over the next power of four,
// walked until the value falls inside the range. Stateless, so any thread maps any position without a
// stored permutation (nothing to allocate for a 1.28 M-image epoch, nothing to rebuild between epochs).
class KeyedPermutation {
 public:
  KeyedPermutation(std::uint64_t size, std::uint64_t key);
  std::uint64_t operator()(std::uint64_t position) const;
  std::uint64_t size() const { return size_; }

 private:
  std::uint64_t round_function(std::uint64_t half, int round) const;
  std::uint64_t size_;
  int half_bits_ = 0;
  std::uint64_t half_mask_ = 0;
  std::uint64_t round_keys_[4] = {};
};

// One rank's slice of every epoch: position p of shard `rank` is global position p * world + rank of the
// epoch's permutation. Shards are disjoint and together hold each item exactly once per epoch; their sizes
// differ by at most one.
class ShardedOrder {
 public:
  ShardedOrder(std::uint64_t dataset_size, std::uint64_t seed, int rank, int world_size);
  std::uint64_t shard_size() const { return shard_size_; }
  // Smallest and largest shard over all ranks: every rank derives the same batch count from these.
  std::uint64_t smallest_shard_size() const { return dataset_size_ / world_size_; }
  std::uint64_t largest_shard_size() const { return (dataset_size_ + world_size_ - 1) / world_size_; }
  // position < shard_size().
  std::uint64_t item(std::uint64_t epoch, std::uint64_t position) const;

 private:
  std::uint64_t dataset_size_;
  std::uint64_t seed_;
  std::uint64_t rank_;
  std::uint64_t world_size_;
  std::uint64_t shard_size_;
};

}  // namespace genint::loader
