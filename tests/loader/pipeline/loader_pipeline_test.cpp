// The mixing pipeline with synthetic sources: exact composition in every batch, determinism whatever the
// thread timing, ring size, chunking or release order, shard coverage, skipped items, misuse, shutdown.
#include "loader/pipeline/loader_pipeline.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "loader/support/synthetic_source.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

using testing::SyntheticSource;
using testing::SyntheticSourceOptions;

constexpr std::size_t tiny_sample_bytes = 8 * 8 * 3;  // 8x8 RGB keeps 10 000 batches fast

struct MixSpec {
  SyntheticSourceOptions options;
  int count = 1;
  float weight = 1.0f;
  int threads = 1;
};

std::unique_ptr<LoaderPipeline> make_pipeline(const std::vector<MixSpec>& specs, PipelineOptions options) {
  options.sample_bytes = tiny_sample_bytes;
  std::vector<PipelineSource> sources;
  for (const MixSpec& spec : specs) {
    PipelineSource source;
    source.source = std::make_unique<SyntheticSource>(spec.options);
    source.count = spec.count;
    source.weight = spec.weight;
    source.threads = spec.threads;
    sources.push_back(std::move(source));
  }
  return std::make_unique<LoaderPipeline>(options, std::move(sources));
}

SyntheticSourceOptions natural_items(std::uint64_t items) {
  SyntheticSourceOptions options;
  options.kind = SourceKind::Natural;
  options.items = items;
  return options;
}

SyntheticSourceOptions generated(std::size_t chunk = 1) {
  SyntheticSourceOptions options;
  options.kind = SourceKind::Intervention;
  options.chunk = chunk;
  return options;
}

// FNV-1a over everything a batch carries.
std::uint64_t batch_checksum(const BatchView& batch, std::size_t sample_bytes) {
  std::uint64_t hash = 1469598103934665603ull;
  const auto add = [&hash](const void* data, std::size_t bytes) {
    const auto* byte = static_cast<const std::uint8_t*>(data);
    for (std::size_t index = 0; index < bytes; ++index) hash = (hash ^ byte[index]) * 1099511628211ull;
  };
  const auto size = static_cast<std::size_t>(batch.size);
  add(batch.images, size * sample_bytes);
  add(batch.labels, size * sizeof(std::int32_t));
  add(batch.items, size * sizeof(std::int64_t));
  for (std::size_t sample = 0; sample < size; ++sample) {
    add(&batch.interventions[sample].latent_seed, sizeof(std::uint64_t));
    add(&batch.interventions[sample].step, sizeof(float));
  }
  return hash;
}

void check_composition(const BatchView& batch, const std::vector<MixSpec>& specs) {
  int slot = 0;
  for (const MixSpec& spec : specs)
    for (int sample = 0; sample < spec.count; ++sample, ++slot) {
      ASSERT_EQ(batch.sources[slot], static_cast<std::int32_t>(spec.options.kind)) << "batch " << batch.index;
      ASSERT_EQ(batch.weights[slot], spec.weight);
      ASSERT_EQ(batch.labels[slot], batch.items[slot] % 1000);
      const bool has_intervention = batch.interventions[slot].class_index >= 0;
      ASSERT_EQ(has_intervention, spec.options.kind != SourceKind::Natural);
    }
  ASSERT_EQ(slot, batch.size);
}

void run_composition(bool deterministic) {
  const std::vector<MixSpec> specs = {{natural_items(1000), 6, 1.0f, 2}, {generated(3), 2, 0.05f, 2}};
  PipelineOptions options;
  options.deterministic = deterministic;
  auto pipeline = make_pipeline(specs, options);
  std::map<std::uint64_t, int> natural_seen_in_epoch_zero;
  for (std::uint64_t expected = 0; expected < 10000; ++expected) {
    const BatchView batch = pipeline->next_batch();
    ASSERT_EQ(batch.index, expected);
    ASSERT_EQ(batch.size, 8);
    check_composition(batch, specs);
    if (::testing::Test::HasFatalFailure()) return;
    ASSERT_EQ(batch.epoch, expected / (1000 / 6));
    if (batch.epoch == 0)
      for (int slot = 0; slot < 6; ++slot) ++natural_seen_in_epoch_zero[static_cast<std::uint64_t>(batch.items[slot])];
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  // Epoch zero is 166 batches of 6 natural items. In deterministic mode they are positions 0..995 of the epoch's
  // permutation: 996 distinct items, none twice. By arrival, a sample of the next epoch's first positions may
  // overtake one of this epoch's last ones, but never by more than the samples the source's pool can hold.
  const std::uint64_t reorder_window = deterministic ? 0 : pipeline->source_snapshot(0).pool_size;
  std::uint64_t repeated = 0;
  for (const auto& [item, times] : natural_seen_in_epoch_zero) {
    EXPECT_LT(item, 1000u);
    ASSERT_LE(times, deterministic ? 1 : 2) << "natural item " << item << " delivered " << times << " times in epoch 0";
    repeated += static_cast<std::uint64_t>(times - 1);
  }
  EXPECT_LE(repeated, reorder_window);
  EXPECT_EQ(natural_seen_in_epoch_zero.size() + repeated, 996u);
  EXPECT_GE(natural_seen_in_epoch_zero.size(), 996u - reorder_window);
  EXPECT_EQ(pipeline->source_snapshot(0).delivered, 60000u);  // counted when handed out, not when prefetched
  EXPECT_EQ(pipeline->source_snapshot(1).delivered, 20000u);
}

TEST(LoaderPipeline, ExactCompositionInEachOfTenThousandBatchesDeterministic) {
  run_composition(true);
}

TEST(LoaderPipeline, ExactCompositionInEachOfTenThousandBatchesByArrival) {
  run_composition(false);
}

std::vector<std::uint64_t> checksums(std::uint64_t seed, int batches, std::uint64_t skip_every) {
  SyntheticSourceOptions natural = natural_items(700);
  natural.jitter_microseconds = 300;
  natural.skip_every = skip_every;
  SyntheticSourceOptions intervention = generated(2);
  intervention.jitter_microseconds = 300;
  PipelineOptions options;
  options.seed = seed;
  auto pipeline = make_pipeline({{natural, 12, 1.0f, 4}, {intervention, 4, 0.05f, 3}}, options);
  std::vector<std::uint64_t> sums;
  for (int index = 0; index < batches; ++index) {
    const BatchView batch = pipeline->next_batch();
    sums.push_back(batch_checksum(batch, tiny_sample_bytes));
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  return sums;
}

TEST(LoaderPipeline, DeterministicModeGivesIdenticalBatchesWhateverTheThreadTiming) {
  // 150 batches of 16 cross three epochs of the 700-item source; jitter scrambles the arrival order.
  const std::vector<std::uint64_t> first = checksums(5, 150, 0), second = checksums(5, 150, 0);
  ASSERT_EQ(first.size(), second.size());
  for (std::size_t batch = 0; batch < first.size(); ++batch)
    EXPECT_EQ(first[batch], second[batch]) << "batch " << batch;
  EXPECT_NE(first, checksums(6, 150, 0)) << "another seed must give other batches";
}

TEST(LoaderPipeline, SkippedItemsGetDeterministicSubstitutes) {
  EXPECT_EQ(checksums(9, 100, 11), checksums(9, 100, 11));
}

TEST(LoaderPipeline, SkipsAreCountedAndNeverReachABatch) {
  SyntheticSourceOptions natural = natural_items(300);
  natural.skip_every = 5;
  auto pipeline = make_pipeline({{natural, 10, 1.0f, 2}}, PipelineOptions{});
  for (int index = 0; index < 60; ++index) {
    const BatchView batch = pipeline->next_batch();
    for (int slot = 0; slot < batch.size; ++slot) ASSERT_NE(batch.items[slot] % 5, 0);
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  EXPECT_GT(pipeline->source_snapshot(0).skipped, 0u);
  const auto skips = pipeline->source_statistics(0).skips_by_reason();
  ASSERT_EQ(skips.count("synthetic_unreadable"), 1u);
  EXPECT_FALSE(skips.at("synthetic_unreadable").example_paths.empty());
}

TEST(LoaderPipeline, ASourceWithNothingUsableStopsTheLoaderWithAnError) {
  for (bool deterministic : {true, false}) {
    SyntheticSourceOptions natural = natural_items(50);
    natural.skip_every = 1;
    PipelineOptions options;
    options.deterministic = deterministic;
    auto pipeline = make_pipeline({{natural, 4, 1.0f, 1}}, options);
    EXPECT_THROW(pipeline->next_batch(), DataError);
  }
}

// Every rank runs one epoch with padding; together the ranks deliver every item, no item on two ranks.
TEST(LoaderPipeline, ShardsThroughTheBatchesAreDisjointAndCoverTheDataset) {
  const std::uint64_t items = 103;
  for (int world_size = 1; world_size <= 8; ++world_size) {
    std::map<std::int64_t, int> owner;
    for (int rank = 0; rank < world_size; ++rank) {
      SyntheticSourceOptions natural = natural_items(items);
      natural.rank = rank;
      natural.world_size = world_size;
      PipelineOptions options;
      options.drop_last = false;
      auto pipeline = make_pipeline({{natural, 4, 1.0f, 2}}, options);
      const std::uint64_t batches = pipeline->source_snapshot(0).batches_per_epoch;
      const std::uint64_t largest_shard = (items + world_size - 1) / world_size;
      EXPECT_EQ(batches, (largest_shard + 3) / 4);
      for (std::uint64_t index = 0; index < batches; ++index) {
        const BatchView batch = pipeline->next_batch();
        EXPECT_EQ(batch.epoch, 0u);
        for (int slot = 0; slot < batch.size; ++slot) {
          const auto found = owner.find(batch.items[slot]);
          if (found != owner.end()) {
            ASSERT_EQ(found->second, rank) << "item on two ranks, world " << world_size;
          }
          owner[batch.items[slot]] = rank;
        }
        pipeline->release_batch(batch.ring_slot, batch.index);
      }
    }
    EXPECT_EQ(owner.size(), items) << "world size " << world_size;
  }
}

TEST(LoaderPipeline, DropLastCountsOnlyFullBatches) {
  auto pipeline = make_pipeline({{natural_items(103), 10, 1.0f, 1}}, PipelineOptions{});
  EXPECT_EQ(pipeline->source_snapshot(0).batches_per_epoch, 10u);
  const BatchView batch = pipeline->next_batch();
  std::set<std::int64_t> distinct(batch.items, batch.items + batch.size);
  EXPECT_EQ(distinct.size(), 10u);
  pipeline->release_batch(batch.ring_slot, batch.index);
}

TEST(LoaderPipeline, ReleasingTwiceOrBorrowingEveryBufferIsReportedAsMisuse) {
  PipelineOptions options;
  options.batches_in_flight = 2;
  auto pipeline = make_pipeline({{generated(), 4, 1.0f, 1}}, options);
  const BatchView first = pipeline->next_batch();
  const BatchView second = pipeline->next_batch();
  EXPECT_THROW(pipeline->next_batch(), MisuseError);
  pipeline->release_batch(first.ring_slot, first.index);
  EXPECT_THROW(pipeline->release_batch(first.ring_slot, first.index), MisuseError);
  EXPECT_THROW(pipeline->release_batch(99, first.index), MisuseError);
  pipeline->release_batch(second.ring_slot, second.index);
  const BatchView third = pipeline->next_batch();
  EXPECT_EQ(third.index, 2u);
  EXPECT_THROW(pipeline->release_batch(third.ring_slot, first.index), MisuseError);
  pipeline->release_batch(third.ring_slot, third.index);
}

TEST(LoaderPipeline, StoppedPipelineRefusesNewBatches) {
  auto pipeline = make_pipeline({{generated(), 4, 1.0f, 1}}, PipelineOptions{});
  pipeline->stop();
  EXPECT_THROW(pipeline->next_batch(), StoppedError);
}

// Producers blocked three ways: on a full pool (nobody consumes), inside produce() (a stuck generator),
// and with batches still borrowed. Each pipeline must be destroyed promptly: no deadlock, no leak.
TEST(LoaderPipeline, CreateAndDestroyTwoHundredTimesUnderLoad) {
  std::atomic<bool> hold{true};
  for (int round = 0; round < 200; ++round) {
    SyntheticSourceOptions stuck = generated(2);
    stuck.hold = &hold;
    const std::vector<MixSpec> specs = {{natural_items(64), 6, 1.0f, 3}, {stuck, 2, 0.05f, 2}};
    auto pipeline = make_pipeline(round % 2 == 0 ? specs : std::vector<MixSpec>{specs[0]}, PipelineOptions{});
    if (round % 4 == 1) {
      const BatchView batch = pipeline->next_batch();  // left borrowed on purpose
      EXPECT_EQ(batch.size, 6);
    }
    pipeline.reset();
  }
}

// Deterministic mode writes samples straight into the batch ring, so a batch's bytes must not depend on how
// the ring is shared out: the reference takes each batch alone; the other run keeps up to three borrowed
// and gives them back newest first, with a ring of four, jittered producers and skipped items.
std::vector<std::uint64_t> ring_checksums(int ring, std::size_t chunk, int held, std::uint64_t skip_every) {
  SyntheticSourceOptions natural = natural_items(500);
  natural.skip_every = skip_every;
  natural.jitter_microseconds = held > 1 ? 200 : 0;
  SyntheticSourceOptions intervention = generated(chunk);
  intervention.jitter_microseconds = natural.jitter_microseconds;
  PipelineOptions options;
  options.seed = 21;
  options.batches_in_flight = ring;
  auto pipeline = make_pipeline({{natural, 6, 1.0f, 3}, {intervention, 2, 0.05f, 2}}, options);
  std::vector<std::uint64_t> sums;
  std::vector<BatchView> borrowed;
  for (std::uint64_t expected = 0; expected < 240; ++expected) {
    borrowed.push_back(pipeline->next_batch());
    EXPECT_EQ(borrowed.back().index, expected);
    sums.push_back(batch_checksum(borrowed.back(), tiny_sample_bytes));
    if (static_cast<int>(borrowed.size()) < held) continue;
    for (auto batch = borrowed.rbegin(); batch != borrowed.rend(); ++batch) {
      // Still what it was when handed out: no producer wrote into a borrowed slot meanwhile.
      EXPECT_EQ(batch_checksum(*batch, tiny_sample_bytes), sums[batch->index]) << "batch " << batch->index;
      pipeline->release_batch(batch->ring_slot, batch->index);
    }
    borrowed.clear();
  }
  return sums;
}

TEST(LoaderPipeline, BatchesAreIdenticalWhateverTheRingSizeAndReleaseOrder) {
  const std::vector<std::uint64_t> reference = ring_checksums(8, 1, 1, 13);
  EXPECT_EQ(ring_checksums(4, 1, 3, 13), reference);
  EXPECT_EQ(std::set<std::uint64_t>(reference.begin(), reference.end()).size(), reference.size())
      << "every batch must differ, or the comparison proves nothing";
}

// A generator's chunk of 16 with 2 samples per batch would span 8 batches, more than a ring of 2 holds:
// the chunk must shrink rather than wait for a slot that only its own batches can free.
TEST(LoaderPipeline, ChunksWiderThanTheRingNeitherStallNorChangeTheBatches) {
  EXPECT_EQ(ring_checksums(2, 16, 2, 0), ring_checksums(8, 1, 1, 0));
}

TEST(LoaderPipeline, DeterministicModeCountsItsPlacesInTheRingAsItsBuffers) {
  PipelineOptions options;
  options.batches_in_flight = 3;
  auto pipeline = make_pipeline({{natural_items(100), 5, 1.0f, 2}}, options);
  const BatchView batch = pipeline->next_batch();
  // The source's buffers are its places in the ring: 5 per batch, 3 batches.
  EXPECT_EQ(pipeline->source_snapshot(0).pool_size, 15u);
  EXPECT_LE(pipeline->source_snapshot(0).buffers_in_use, 15u);
  pipeline->release_batch(batch.ring_slot, batch.index);
}

}  // namespace
}  // namespace genint::loader
