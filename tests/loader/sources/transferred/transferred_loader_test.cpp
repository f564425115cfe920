// Issue acceptance, end to end: one loader mixing natural JPEGs, BigGAN interventions and transferred samples (C++
// pipeline and C API): exact composition of every batch, λ per source, content labels and items, style records shared
// by contents_per_style neighbours, α in the extras, bit-identical batches across runs and thread counts.
#include <gtest/gtest.h>

#include <cstring>
#include <set>

#include "genint.h"
#include "loader/order/shard_order.h"
#include "loader/pipeline/loader_builder.h"
#include "loader/sources/natural/natural_source.h"
#include "loader/support/jpeg_tree.h"
#include "tests/loader/sources/transferred/transferred_test_support.h"

namespace genint::loader {
namespace {

using testing::JpegTree;

constexpr int kBatches = 8;
constexpr int kNatural = 4, kGenerated = 2, kTransferred = 4;
constexpr int kBatch = kNatural + kGenerated + kTransferred;
constexpr std::uint64_t kSeed = 21;

nlohmann::json mixed_config(const std::string& root, int threads, const std::string& layout = "uint8_hwc") {
  nlohmann::json intervention = {
      {"kind", "intervention"},   {"count", kGenerated}, {"weight", 0.05},
      {"threads", threads},       {"chunk", 2},          {"generator", testing::kDemoGenerator},
      {"space", "observational"}, {"classes", {0, 1}}};
  nlohmann::json transferred = testing::transferred_keys(root, {{"contents_per_style", 2}});
  transferred.update({{"kind", "transferred"}, {"count", kTransferred}, {"weight", 0.5}, {"threads", threads + 1}});
  return {
      {"seed", kSeed},
      {"batch_size", kBatch},
      {"image", {{"size", 16}, {"layout", layout}}},
      {"sources",
       {{{"kind", "natural"}, {"count", kNatural}, {"threads", threads}, {"root", root}}, intervention, transferred}}};
}

std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t bytes) {
  const auto* byte = static_cast<const std::uint8_t*>(data);
  for (std::size_t index = 0; index < bytes; ++index) hash = (hash ^ byte[index]) * 1099511628211ull;
  return hash;
}

void check_transferred_slot(const BatchView& batch, const BatchExtrasView& extras, int slot,
                            const NaturalSource& contents, std::uint64_t batches_per_epoch) {
  const InterventionRecord& record = batch.interventions[slot];
  // Deterministic mode: the transferred source's slot j of batch b is position (b mod epoch)·count + j.
  const int index_in_source = slot - kNatural - kGenerated;
  const std::uint64_t position = (batch.index % batches_per_epoch) * kTransferred + index_in_source;
  const std::uint64_t item = contents.order().item(batch.index / batches_per_epoch, position);
  EXPECT_EQ(batch.items[slot], static_cast<std::int64_t>(item));
  EXPECT_EQ(batch.labels[slot], contents.index().label(item));  // the content's label, never the style's
  EXPECT_FLOAT_EQ(batch.weights[slot], 0.5f);
  EXPECT_GE(record.class_index, 0);
  EXPECT_LT(record.class_index, testing::kDemoClasses);
  EXPECT_EQ(record.space, 1);  // latent
  EXPECT_GE(record.direction, 0);
  EXPECT_GE(extras.transfer_alphas[slot], 0.25f);
  EXPECT_LE(extras.transfer_alphas[slot], 0.9f);
  if (index_in_source % 2 == 1) {  // contents_per_style 2: each odd slot shares its even neighbour's style
    EXPECT_EQ(std::memcmp(&record, &batch.interventions[slot - 1], sizeof(InterventionRecord)), 0) << slot;
  } else if (index_in_source > 0) {
    EXPECT_NE(record.latent_seed, batch.interventions[slot - 2].latent_seed) << slot;
  }
}

// Checks every batch and returns one checksum per batch over everything it carries.
std::vector<std::uint64_t> run_and_check(const nlohmann::json& json) {
  const LoaderConfig config = parse_loader_config(json);
  const std::unique_ptr<SampleSource> contents = make_natural_source(config, config.sources[0]);
  const auto& natural = dynamic_cast<const NaturalSource&>(*contents);
  auto pipeline = make_loader_pipeline(config);
  const std::uint64_t batches_per_epoch = pipeline->source_snapshot(2).batches_per_epoch;
  EXPECT_EQ(batches_per_epoch, natural.epoch_length() / kTransferred);
  std::vector<std::uint64_t> checksums;
  std::set<int> style_classes;
  for (int index = 0; index < kBatches; ++index) {
    const BatchView batch = pipeline->next_batch();
    const BatchExtrasView extras = pipeline->batch_extras(batch.ring_slot, batch.index);
    EXPECT_EQ(batch.size, kBatch);
    for (int slot = 0; slot < batch.size; ++slot) {
      const auto kind = slot < kNatural                ? SourceKind::Natural
                        : slot < kNatural + kGenerated ? SourceKind::Intervention
                                                       : SourceKind::Transferred;
      EXPECT_EQ(batch.sources[slot], static_cast<std::int32_t>(kind)) << slot;
      if (kind == SourceKind::Transferred) {
        check_transferred_slot(batch, extras, slot, natural, batches_per_epoch);
        style_classes.insert(batch.interventions[slot].class_index);
        continue;
      }
      EXPECT_EQ(extras.transfer_alphas[slot], -1.0f) << slot;
      if (kind == SourceKind::Natural) {
        EXPECT_EQ(batch.labels[slot], natural.index().label(static_cast<std::size_t>(batch.items[slot])));
      }
    }
    std::uint64_t hash = 1469598103934665603ull;
    hash = fnv1a(hash, batch.images, static_cast<std::size_t>(batch.size) * pipeline->sample_bytes());
    hash = fnv1a(hash, batch.labels, static_cast<std::size_t>(batch.size) * sizeof(std::int32_t));
    hash = fnv1a(hash, batch.items, static_cast<std::size_t>(batch.size) * sizeof(std::int64_t));
    hash = fnv1a(hash, batch.interventions, static_cast<std::size_t>(batch.size) * sizeof(InterventionRecord));
    hash = fnv1a(hash, extras.transfer_alphas, static_cast<std::size_t>(batch.size) * sizeof(float));
    checksums.push_back(hash);
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  EXPECT_GE(style_classes.size(), 4u);  // 16 styles over 10 classes: all in 3 or fewer has odds below 1e-6
  return checksums;
}

TEST(TransferredLoader, MixesAllThreeKindsExactlyAndDeterministicallyAcrossRunsAndThreadCounts) {
  const JpegTree tree(2, 6, false);
  const std::vector<std::uint64_t> first = run_and_check(mixed_config(tree.root(), 1));
  const std::vector<std::uint64_t> again = run_and_check(mixed_config(tree.root(), 1));
  const std::vector<std::uint64_t> more_threads = run_and_check(mixed_config(tree.root(), 2));
  EXPECT_EQ(first, again);
  EXPECT_EQ(first, more_threads);
  nlohmann::json other_seed = mixed_config(tree.root(), 1);
  other_seed["seed"] = kSeed + 1;
  EXPECT_NE(first, run_and_check(other_seed));
}

// Arrival mode: slots go by arrival, so only what each sample says of itself is checked, and the counts.
TEST(TransferredLoader, ArrivalModeFillsEveryBatchWithTheConfiguredCounts) {
  const JpegTree tree(2, 6, false);
  nlohmann::json json = mixed_config(tree.root(), 2);
  json["deterministic"] = false;
  const LoaderConfig config = parse_loader_config(json);
  const std::unique_ptr<SampleSource> contents = make_natural_source(config, config.sources[0]);
  const auto& natural = dynamic_cast<const NaturalSource&>(*contents);
  auto pipeline = make_loader_pipeline(config);
  for (int index = 0; index < 6; ++index) {
    const BatchView batch = pipeline->next_batch();
    const BatchExtrasView extras = pipeline->batch_extras(batch.ring_slot, batch.index);
    ASSERT_EQ(batch.size, kBatch);
    int transferred = 0;
    for (int slot = 0; slot < batch.size; ++slot) {
      if (batch.sources[slot] != static_cast<std::int32_t>(SourceKind::Transferred)) continue;
      ++transferred;
      EXPECT_EQ(batch.labels[slot], natural.index().label(static_cast<std::size_t>(batch.items[slot])));
      EXPECT_GE(batch.interventions[slot].class_index, 0);
      EXPECT_GE(extras.transfer_alphas[slot], 0.25f);
      EXPECT_LE(extras.transfer_alphas[slot], 0.9f);
    }
    EXPECT_EQ(transferred, kTransferred);
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
}

TEST(TransferredLoader, TheCApiHandsOutTransferredSamplesWithTheirAlphas) {
  const JpegTree tree(2, 6, false);
  const std::string json = mixed_config(tree.root(), 1, "float32_chw").dump();
  genint_loader* handle = nullptr;
  ASSERT_EQ(genint_loader_create_from_json(json.c_str(), &handle), GENINT_OK) << genint_last_error_message();
  for (int index = 0; index < 3; ++index) {
    genint_batch batch{};
    ASSERT_EQ(genint_loader_next_batch(handle, &batch), GENINT_OK) << genint_last_error_message();
    ASSERT_EQ(batch.size, kBatch);
    ASSERT_EQ(batch.sample_bytes, 16u * 16u * 3u * sizeof(float));
    const genint_batch_extras* extras = nullptr;
    ASSERT_EQ(genint_loader_batch_extras(handle, &batch, &extras), GENINT_OK);
    for (int slot = 0; slot < batch.size; ++slot) {
      const bool transferred = slot >= kNatural + kGenerated;
      EXPECT_EQ(batch.sources[slot] == GENINT_SOURCE_TRANSFERRED, transferred);
      EXPECT_EQ(extras->transfer_alphas[slot] >= 0.25f, transferred) << slot;
    }
    // Normalized ImageNet pixels lie in [(0 − 0.485)/0.229, (1 − 0.406)/0.225] = [−2.118, 2.640] for every source.
    const auto* values = static_cast<const float*>(batch.images);
    for (std::size_t value = 0; value < static_cast<std::size_t>(batch.size) * 16 * 16 * 3; ++value) {
      ASSERT_GE(values[value], -2.12f);
      ASSERT_LE(values[value], 2.65f);
    }
    ASSERT_EQ(genint_loader_release_batch(handle, &batch), GENINT_OK);
  }
  genint_source_stats stats{};
  ASSERT_EQ(genint_loader_source_stats(handle, 2, &stats), GENINT_OK);
  EXPECT_EQ(stats.kind, GENINT_SOURCE_TRANSFERRED);
  EXPECT_EQ(stats.count_per_batch, kTransferred);
  EXPECT_GT(stats.batches_per_epoch, 0u);
  EXPECT_EQ(genint_loader_destroy(handle), GENINT_OK);
}

}  // namespace
}  // namespace genint::loader
