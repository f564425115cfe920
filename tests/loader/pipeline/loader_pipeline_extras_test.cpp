// The pipeline's per-sample extras and the two fixes beside them: Mixup on complete batches (hand-checked against
// the same batches unmixed, bit-identical in deterministic mode, both layouts), a deterministic batch whose buffer
// is still borrowed (an error naming it, never a hang), and generated streams shared out across ranks.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <mutex>
#include <set>
#include <thread>

#include "loader/order/shard_order.h"
#include "loader/pipeline/loader_pipeline.h"
#include "loader/support/synthetic_source.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

using testing::SyntheticSource;
using testing::SyntheticSourceOptions;

constexpr std::size_t sample_bytes = 4 * 4 * 3 * sizeof(float);  // one 4×4 float sample, or 48 uint8 samples' worth

SyntheticSourceOptions natural_items(std::uint64_t items, bool float_pixels = false) {
  SyntheticSourceOptions options;
  options.kind = SourceKind::Natural;
  options.items = items;
  options.sample_bytes = sample_bytes;
  options.float_pixels = float_pixels;
  options.seed_in_record = true;
  return options;
}

SyntheticSourceOptions generated(std::size_t chunk, bool float_pixels = false) {
  SyntheticSourceOptions options;
  options.kind = SourceKind::Intervention;
  options.chunk = chunk;
  options.sample_bytes = sample_bytes;
  options.float_pixels = float_pixels;
  return options;
}

struct Spec {
  SyntheticSourceOptions options;
  int count;
  int threads;
};

std::unique_ptr<LoaderPipeline> make_pipeline(const std::vector<Spec>& specs, PipelineOptions options) {
  options.sample_bytes = sample_bytes;
  std::vector<PipelineSource> sources;
  for (const Spec& spec : specs) {
    PipelineSource source;
    source.source = std::make_unique<SyntheticSource>(spec.options);
    source.count = spec.count;
    source.threads = spec.threads;
    sources.push_back(std::move(source));
  }
  return std::make_unique<LoaderPipeline>(options, std::move(sources));
}

// Everything a batch carries, extras included, as bytes.
struct BatchCopy {
  std::vector<std::uint8_t> images;
  std::vector<std::int32_t> labels, partners, partner_labels;
  std::vector<float> lambdas;
  bool operator==(const BatchCopy& other) const {
    return images == other.images && labels == other.labels && partners == other.partners &&
           partner_labels == other.partner_labels &&
           std::memcmp(lambdas.data(), other.lambdas.data(), lambdas.size() * sizeof(float)) == 0;
  }
};

BatchCopy copy_of(const BatchView& batch) {
  const auto size = static_cast<std::size_t>(batch.size);
  BatchCopy copy;
  copy.images.assign(batch.images, batch.images + size * sample_bytes);
  copy.labels.assign(batch.labels, batch.labels + size);
  copy.partners.assign(batch.extras.mixup_partners, batch.extras.mixup_partners + size);
  copy.partner_labels.assign(batch.extras.mixup_partner_labels, batch.extras.mixup_partner_labels + size);
  copy.lambdas.assign(batch.extras.mixup_lambdas, batch.extras.mixup_lambdas + size);
  return copy;
}

std::vector<BatchCopy> run(bool float_pixels, double alpha, bool deterministic, int batches, int jitter = 0) {
  SyntheticSourceOptions natural = natural_items(90, float_pixels), intervention = generated(2, float_pixels);
  natural.jitter_microseconds = intervention.jitter_microseconds = jitter;
  PipelineOptions options;
  options.seed = 4;
  options.deterministic = deterministic;
  options.mixup_alpha = alpha;
  options.float_samples = float_pixels;
  auto pipeline = make_pipeline({{natural, 7, 3}, {intervention, 3, 2}}, options);
  std::vector<BatchCopy> copies;
  for (int index = 0; index < batches; ++index) {
    const BatchView batch = pipeline->next_batch();
    EXPECT_EQ(batch.extras.mixup, alpha > 0);
    copies.push_back(copy_of(batch));
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  return copies;
}

// The mixed batch against the same batch unmixed (Mixup draws nothing from the samples' seeds): each sample is
// λ·own + (1 − λ)·partner's, rounded half up (uint8) or in float, and only natural samples were paired.
void check_mixed_against_plain(bool float_pixels) {
  const std::vector<BatchCopy> plain = run(float_pixels, 0.0, true, 30), mixed = run(float_pixels, 0.4, true, 30);
  int pairs_seen = 0;
  for (std::size_t batch = 0; batch < plain.size(); ++batch) {
    const BatchCopy &before = plain[batch], &after = mixed[batch];
    ASSERT_EQ(after.labels, before.labels) << "Mixup never changes a sample's own label";
    for (std::size_t sample = 0; sample < 10; ++sample) {
      const auto partner = static_cast<std::size_t>(after.partners[sample]);
      const double lambda = after.lambdas[sample];
      EXPECT_EQ(before.partners[sample], static_cast<std::int32_t>(sample));
      EXPECT_EQ(before.lambdas[sample], 1.0f);
      EXPECT_EQ(after.partner_labels[sample], before.labels[partner]);
      if (sample >= 7) {
        ASSERT_EQ(partner, sample) << "generated samples stay as generated";
      }
      if (sample < 7) {
        ASSERT_LT(partner, 7u) << "natural samples pair with natural ones";
      }
      pairs_seen += partner != sample;
      for (std::size_t value = 0; value < (float_pixels ? sample_bytes / 4 : sample_bytes); ++value) {
        if (float_pixels) {
          float own = 0, other = 0, got = 0;
          std::memcpy(&own, &before.images[sample * sample_bytes + value * 4], 4);
          std::memcpy(&other, &before.images[partner * sample_bytes + value * 4], 4);
          std::memcpy(&got, &after.images[sample * sample_bytes + value * 4], 4);
          // λ and 1 − λ are exact in float; the two products and the sum round once each: 2 ulp of |values| <= 2.
          ASSERT_NEAR(got, lambda * own + (1 - lambda) * other, 5e-7) << "batch " << batch << " sample " << sample;
        } else {
          const double own = before.images[sample * sample_bytes + value];
          const double other = before.images[partner * sample_bytes + value];
          ASSERT_EQ(after.images[sample * sample_bytes + value], std::floor(lambda * own + (1 - lambda) * other + 0.5))
              << "batch " << batch << " sample " << sample;
        }
      }
    }
  }
  EXPECT_EQ(pairs_seen, 30 * 6) << "7 natural samples make 3 pairs in every batch";
}

TEST(LoaderPipelineExtras, MixupUint8MatchesTheHandComputedBlendOfTheUnmixedBatch) {
  check_mixed_against_plain(false);
}

TEST(LoaderPipelineExtras, MixupFloatMatchesTheHandComputedBlendOfTheUnmixedBatch) {
  check_mixed_against_plain(true);
}

TEST(LoaderPipelineExtras, MixupIsBitIdenticalInDeterministicModeWhateverTheTiming) {
  for (bool float_pixels : {false, true}) {
    const std::vector<BatchCopy> first = run(float_pixels, 0.4, true, 60, 300),
                                 second = run(float_pixels, 0.4, true, 60);
    ASSERT_EQ(first.size(), second.size());
    for (std::size_t batch = 0; batch < first.size(); ++batch)
      EXPECT_TRUE(first[batch] == second[batch]) << "batch " << batch << (float_pixels ? " float" : " uint8");
  }
}

TEST(LoaderPipelineExtras, MixupInArrivalModePairsWithinTheNaturalSamples) {
  for (const BatchCopy& batch : run(false, 0.4, false, 40, 100))
    for (std::size_t sample = 0; sample < 10; ++sample) {
      const auto partner = static_cast<std::size_t>(batch.partners[sample]);
      EXPECT_EQ(static_cast<std::size_t>(batch.partners[partner]), sample);
      EXPECT_EQ(batch.partner_labels[sample], batch.labels[partner]);
      EXPECT_EQ(sample < 7, partner < 7);
    }
}

TEST(LoaderPipelineExtras, WithoutMixupOrAutoAugmentTheExtrasSayNothingHappened) {
  auto pipeline = make_pipeline({{natural_items(50), 4, 1}, {generated(1), 2, 1}}, PipelineOptions{});
  const BatchView batch = pipeline->next_batch();
  for (int sample = 0; sample < batch.size; ++sample) {
    EXPECT_EQ(batch.extras.mixup_partners[sample], sample);
    EXPECT_EQ(batch.extras.mixup_partner_labels[sample], batch.labels[sample]);
    EXPECT_EQ(batch.extras.mixup_lambdas[sample], 1.0f);
    EXPECT_EQ(batch.extras.auto_augment_sub_policies[sample], -1);
    EXPECT_EQ(batch.extras.auto_augment_ops[sample], 0);
    EXPECT_EQ(batch.extras.transfer_alphas[sample], -1.0f);
  }
  const BatchExtrasView extras = pipeline->batch_extras(batch.ring_slot, batch.index);
  EXPECT_EQ(extras.mixup_lambdas, batch.extras.mixup_lambdas);
  pipeline->release_batch(batch.ring_slot, batch.index);
  EXPECT_THROW(pipeline->batch_extras(batch.ring_slot, batch.index), MisuseError);
}

void expect_misuse_naming(LoaderPipeline& pipeline, const std::string& needle) {
  try {
    const BatchView batch = pipeline.next_batch();
    ADD_FAILURE() << "batch " << batch.index << " was handed out";
  } catch (const MisuseError& error) {
    EXPECT_NE(std::string(error.what()).find(needle), std::string::npos) << error.what();
  }
}

// Before the fix, the fourth call blocked forever: batch 3 is made in batch 0's buffer, which the caller holds.
TEST(LoaderPipelineExtras, DeterministicNextBatchNamesTheHeldBatchInsteadOfHanging) {
  PipelineOptions options;
  options.batches_in_flight = 3;
  auto pipeline = make_pipeline({{natural_items(200), 4, 2}, {generated(2), 2, 1}}, options);
  const BatchView held = pipeline->next_batch();
  for (int index = 1; index < 3; ++index) {
    const BatchView batch = pipeline->next_batch();
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  expect_misuse_naming(*pipeline, "batch 0 is still borrowed by this thread");
  expect_misuse_naming(*pipeline, "makes batch 3 in its buffer");  // asking again changes nothing
  pipeline->release_batch(held.ring_slot, held.index);
  const BatchView next = pipeline->next_batch();
  EXPECT_EQ(next.index, 3u);
  pipeline->release_batch(next.ring_slot, next.index);
}

// A batch another thread holds will come back: the call waits for it and then succeeds.
TEST(LoaderPipelineExtras, ABatchHeldByAnotherThreadIsWaitedFor) {
  PipelineOptions options;
  options.batches_in_flight = 2;
  auto pipeline = make_pipeline({{natural_items(200), 4, 2}}, options);
  std::atomic<bool> taken{false}, released{false};
  std::thread holder([&] {
    const BatchView held = pipeline->next_batch();
    taken = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    released = true;
    pipeline->release_batch(held.ring_slot, held.index);
  });
  while (!taken) std::this_thread::yield();
  const BatchView second = pipeline->next_batch();
  pipeline->release_batch(second.ring_slot, second.index);
  const BatchView third = pipeline->next_batch();  // made in batch 0's buffer: waits for the holder's release
  EXPECT_TRUE(released.load());
  EXPECT_EQ(third.index, 2u);
  pipeline->release_batch(third.ring_slot, third.index);
  holder.join();
}

// Several consumers, each giving its batch back before asking again: they wait for one another's batches, never
// refused, every batch handed out exactly once, nobody hangs.
TEST(LoaderPipelineExtras, ConcurrentConsumersGetEveryBatchOnceAndNeverHang) {
  PipelineOptions options;
  options.batches_in_flight = 4;
  auto pipeline = make_pipeline({{natural_items(300), 3, 2}, {generated(2), 2, 1}}, options);
  std::mutex mutex;
  std::set<std::uint64_t> seen;
  std::atomic<int> taken{0}, refusals{0};
  std::vector<std::thread> consumers;
  for (int consumer = 0; consumer < 3; ++consumer)
    consumers.emplace_back([&] {
      while (taken.load() < 150) {
        try {
          const BatchView batch = pipeline->next_batch();
          {
            const std::lock_guard<std::mutex> lock(mutex);
            EXPECT_TRUE(seen.insert(batch.index).second) << "batch " << batch.index << " twice";
          }
          ++taken;
          pipeline->release_batch(batch.ring_slot, batch.index);
        } catch (const MisuseError&) {
          ++refusals;
        }
      }
    });
  for (std::thread& consumer : consumers) consumer.join();
  EXPECT_EQ(refusals.load(), 0);
  EXPECT_GE(seen.size(), 150u);
  EXPECT_EQ(*seen.rbegin() + 1, seen.size()) << "batches are handed out in order, none skipped";
}

// Rank r's n-th generated sample is stream position n · world + r; its seed comes from that position (world size
// 1: position n, the formula of every earlier release, so single-rank bytes are unchanged).
TEST(LoaderPipelineExtras, GeneratedSamplesAreSharedOutAcrossRanksDeterministically) {
  constexpr int natural_count = 4, generated_count = 3, batches = 40;
  for (int world : {1, 3}) {
    std::set<std::uint64_t> generated_seeds, natural_seeds;
    std::set<std::int64_t> positions;
    for (int rank = 0; rank < world; ++rank) {
      SyntheticSourceOptions natural = natural_items(97);
      natural.rank = rank;
      natural.world_size = world;
      PipelineOptions options;
      options.seed = 8;
      options.shard_rank = rank;
      options.shard_world_size = world;
      auto pipeline = make_pipeline({{natural, natural_count, 2}, {generated(2), generated_count, 2}}, options);
      const std::uint64_t per_epoch = pipeline->source_snapshot(0).batches_per_epoch;
      for (std::uint64_t index = 0; index < batches; ++index) {
        const BatchView batch = pipeline->next_batch();
        for (int slot = natural_count; slot < batch.size; ++slot) {
          const std::uint64_t task = index * generated_count + static_cast<std::uint64_t>(slot - natural_count);
          const std::uint64_t position = task * static_cast<std::uint64_t>(world) + static_cast<std::uint64_t>(rank);
          EXPECT_EQ(batch.items[slot], static_cast<std::int64_t>(position));
          EXPECT_EQ(batch.interventions[slot].latent_seed, mix_seed(mix_seed(8, 2, index / per_epoch, position), 0));
          EXPECT_TRUE(positions.insert(batch.items[slot]).second) << "position " << batch.items[slot] << " twice";
          generated_seeds.insert(batch.interventions[slot].latent_seed);
        }
        for (int slot = 0; slot < natural_count; ++slot) natural_seeds.insert(batch.interventions[slot].latent_seed);
        pipeline->release_batch(batch.ring_slot, batch.index);
      }
    }
    const std::size_t generated_total = static_cast<std::size_t>(world * batches * generated_count);
    EXPECT_EQ(generated_seeds.size(), generated_total) << "world " << world << ": a generated sample repeated";
    EXPECT_EQ(*positions.rbegin() + 1, static_cast<std::int64_t>(generated_total)) << "positions 0.. all covered";
    // Natural samples at the same (epoch, shard position) on two ranks draw different augmentations.
    EXPECT_EQ(natural_seeds.size(), static_cast<std::size_t>(world * batches * natural_count)) << "world " << world;
  }
}

}  // namespace
}  // namespace genint::loader
