// The epoch shuffle and shard split: bijective permutations, disjoint shards that cover the dataset for
// world sizes 1–8, a different order every epoch, and the same order for the same seed.
#include "loader/order/shard_order.h"

#include <gtest/gtest.h>

#include <vector>

#include "nn/core/error.h"

namespace genint::loader {
namespace {

TEST(KeyedPermutation, IsABijectionForManySizes) {
  for (std::uint64_t size : {1ull, 2ull, 3ull, 5ull, 16ull, 17ull, 255ull, 1000ull, 4097ull, 65537ull}) {
    const KeyedPermutation permutation(size, 1234);
    std::vector<bool> seen(size, false);
    for (std::uint64_t position = 0; position < size; ++position) {
      const std::uint64_t value = permutation(position);
      ASSERT_LT(value, size);
      ASSERT_FALSE(seen[value]) << "size " << size << " maps two positions to " << value;
      seen[value] = true;
    }
  }
}

TEST(KeyedPermutation, DependsOnTheKeyAndIsNotTheIdentity) {
  const KeyedPermutation first(1000, 1), second(1000, 2);
  int same_as_other_key = 0, fixed_points = 0;
  for (std::uint64_t position = 0; position < 1000; ++position) {
    same_as_other_key += first(position) == second(position);
    fixed_points += first(position) == position;
  }
  // A random permutation has about one fixed point and about one agreement with another: 20 is far out.
  EXPECT_LT(same_as_other_key, 20);
  EXPECT_LT(fixed_points, 20);
}

TEST(KeyedPermutation, RefusesPositionsOutsideTheRange) {
  const KeyedPermutation permutation(10, 0);
  EXPECT_THROW(permutation(10), Error);
}

TEST(ShardedOrder, ShardsAreDisjointAndCoverTheDatasetForWorldSizesOneToEight) {
  for (std::uint64_t dataset_size : {8ull, 97ull, 1000ull}) {
    for (int world_size = 1; world_size <= 8; ++world_size) {
      for (std::uint64_t epoch : {0ull, 1ull, 7ull}) {
        std::vector<int> owners(dataset_size, 0);
        std::uint64_t total = 0;
        for (int rank = 0; rank < world_size; ++rank) {
          const ShardedOrder order(dataset_size, 42, rank, world_size);
          EXPECT_GE(order.shard_size(), order.smallest_shard_size());
          EXPECT_LE(order.shard_size(), order.largest_shard_size());
          for (std::uint64_t position = 0; position < order.shard_size(); ++position)
            ++owners[order.item(epoch, position)];
          total += order.shard_size();
        }
        EXPECT_EQ(total, dataset_size);
        for (std::uint64_t item = 0; item < dataset_size; ++item)
          ASSERT_EQ(owners[item], 1) << "item " << item << ", dataset " << dataset_size << ", world " << world_size
                                     << ", epoch " << epoch;
      }
    }
  }
}

TEST(ShardedOrder, EachEpochIsReshuffledAndTheSameSeedGivesTheSameOrder) {
  const ShardedOrder order(500, 7, 1, 3), again(500, 7, 1, 3), other_seed(500, 8, 1, 3);
  int same_across_epochs = 0, same_across_seeds = 0;
  for (std::uint64_t position = 0; position < order.shard_size(); ++position) {
    EXPECT_EQ(order.item(3, position), again.item(3, position));
    same_across_epochs += order.item(0, position) == order.item(1, position);
    same_across_seeds += order.item(0, position) == other_seed.item(0, position);
  }
  // About one agreement is expected by chance between two shuffles of a 167-item shard; 15 would be a bug.
  EXPECT_LT(same_across_epochs, 15);
  EXPECT_LT(same_across_seeds, 15);
}

TEST(ShardedOrder, RejectsBadShards) {
  EXPECT_THROW(ShardedOrder(10, 0, 2, 2), Error);
  EXPECT_THROW(ShardedOrder(10, 0, 0, 0), Error);
  EXPECT_THROW(ShardedOrder(3, 0, 0, 4), Error);
}

TEST(MixSeed, EveryInputMatters) {
  const std::uint64_t base = mix_seed(1, 2, 3, 4);
  EXPECT_NE(base, mix_seed(0, 2, 3, 4));
  EXPECT_NE(base, mix_seed(1, 0, 3, 4));
  EXPECT_NE(base, mix_seed(1, 2, 0, 4));
  EXPECT_NE(base, mix_seed(1, 2, 3, 0));
  EXPECT_EQ(base, mix_seed(1, 2, 3, 4));
}

}  // namespace
}  // namespace genint::loader
