// Issue acceptance, end to end: a loader mixing natural JPEGs (a temp ImageFolder tree written with OpenCV)
// with BigGAN interventions, through the C++ pipeline and the C API: exact composition of every batch, λ per
// source, intervention records only on generated samples, labels through the label map, determinism.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "genint.h"
#include "loader/pipeline/loader_builder.h"
#include "loader/support/jpeg_tree.h"
#include "tests/gan/interventions/intervention_test_support.h"

namespace genint {
namespace {

using testing::DirectionsFolder;

constexpr int kBatches = 50;
constexpr int kNatural = 4;
constexpr int kGenerated = 2;

// Classes 3 and 7 of the generator stand for the tree's class0 and class1.
nlohmann::json mixed_config(const std::string& tree_root, const DirectionsFolder& folder, std::uint64_t seed,
                            const std::string& layout) {
  nlohmann::json generated = testing::intervention_keys(folder);
  generated.update({{"kind", "intervention"},
                    {"count", kGenerated},
                    {"weight", 0.05},
                    {"threads", 2},
                    {"chunk", 2},
                    {"label_map", {{"3", 0}, {"7", 1}}},
                    {"label_count", 2}});
  return {
      {"seed", seed},
      {"batch_size", kNatural + kGenerated},
      {"image", {{"size", 24}, {"layout", layout}}},
      {"sources",
       {{{"kind", "natural"}, {"count", kNatural}, {"weight", 1.0}, {"threads", 2}, {"root", tree_root}}, generated}}};
}

std::uint64_t fnv1a(std::uint64_t hash, const void* data, std::size_t bytes) {
  const auto* byte = static_cast<const std::uint8_t*>(data);
  for (std::size_t index = 0; index < bytes; ++index) hash = (hash ^ byte[index]) * 1099511628211ull;
  return hash;
}

// Checks every batch and returns one checksum per batch over everything it carries.
std::vector<std::uint64_t> run_and_check(const nlohmann::json& config) {
  auto pipeline = loader::make_loader_pipeline(loader::parse_loader_config(config));
  std::vector<std::uint64_t> checksums;
  std::set<std::int64_t> generated_items;
  std::set<int> generated_classes;
  for (int index = 0; index < kBatches; ++index) {
    const loader::BatchView batch = pipeline->next_batch();
    EXPECT_EQ(batch.size, kNatural + kGenerated);
    for (int slot = 0; slot < batch.size; ++slot) {
      const bool generated = slot >= kNatural;
      const auto& record = batch.interventions[slot];
      EXPECT_EQ(batch.sources[slot],
                static_cast<std::int32_t>(generated ? loader::SourceKind::Intervention : loader::SourceKind::Natural));
      EXPECT_FLOAT_EQ(batch.weights[slot], generated ? 0.05f : 1.0f);
      EXPECT_TRUE(batch.labels[slot] == 0 || batch.labels[slot] == 1) << batch.labels[slot];
      if (!generated) {
        EXPECT_EQ(record.class_index, -1);
        EXPECT_EQ(record.direction, -1);
        EXPECT_EQ(record.latent_seed, 0u);
        continue;
      }
      EXPECT_TRUE(record.class_index == 3 || record.class_index == 7) << record.class_index;
      EXPECT_EQ(batch.labels[slot], record.class_index == 3 ? 0 : 1);
      EXPECT_NE(record.latent_seed, 0u);
      EXPECT_FLOAT_EQ(record.truncation, 0.5f);
      EXPECT_EQ(record.space, 1);  // latent
      EXPECT_GE(record.direction, 0);
      EXPECT_LT(record.direction, 6);
      EXPECT_LE(std::abs(record.step), 2.0f);
      generated_items.insert(batch.items[slot]);
      generated_classes.insert(record.class_index);
      // Deterministic mode: slot j of batch b holds stream position b · count + j.
      EXPECT_EQ(batch.items[slot], static_cast<std::int64_t>(batch.index) * kGenerated + (slot - kNatural));
    }
    std::uint64_t hash = 1469598103934665603ull;
    hash = fnv1a(hash, batch.images, static_cast<std::size_t>(batch.size) * pipeline->sample_bytes());
    hash = fnv1a(hash, batch.labels, static_cast<std::size_t>(batch.size) * sizeof(std::int32_t));
    hash = fnv1a(hash, batch.items, static_cast<std::size_t>(batch.size) * sizeof(std::int64_t));
    hash = fnv1a(hash, batch.interventions, static_cast<std::size_t>(batch.size) * sizeof(loader::InterventionRecord));
    checksums.push_back(hash);
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  EXPECT_EQ(generated_items.size(), static_cast<std::size_t>(kBatches * kGenerated));
  EXPECT_EQ(generated_classes, (std::set<int>{3, 7}));
  return checksums;
}

TEST(InterventionLoader, MixesNaturalAndGeneratedSamplesExactlyAndDeterministically) {
  const loader::testing::JpegTree tree(2, 6, false);
  const DirectionsFolder folder;
  const std::vector<std::uint64_t> first = run_and_check(mixed_config(tree.root(), folder, 11, "uint8_hwc"));
  const std::vector<std::uint64_t> again = run_and_check(mixed_config(tree.root(), folder, 11, "uint8_hwc"));
  EXPECT_EQ(first, again);
  const std::vector<std::uint64_t> other = run_and_check(mixed_config(tree.root(), folder, 12, "uint8_hwc"));
  EXPECT_NE(first, other);
}

TEST(InterventionLoader, FloatLayoutBatchesAreNormalizedLikeNaturalOnes) {
  const loader::testing::JpegTree tree(2, 6, false);
  const DirectionsFolder folder;
  auto pipeline =
      loader::make_loader_pipeline(loader::parse_loader_config(mixed_config(tree.root(), folder, 5, "float32_chw")));
  ASSERT_EQ(pipeline->sample_bytes(), 24u * 24u * 3u * sizeof(float));
  const loader::BatchView batch = pipeline->next_batch();
  const auto* values = reinterpret_cast<const float*>(batch.images);
  // Normalized ImageNet pixels lie in [(0 − 0.485)/0.229, (1 − 0.406)/0.225] = [−2.118, 2.640] for every source.
  for (std::size_t index = 0; index < static_cast<std::size_t>(batch.size) * 24 * 24 * 3; ++index) {
    ASSERT_GE(values[index], -2.12f) << index;
    ASSERT_LE(values[index], 2.65f) << index;
  }
  pipeline->release_batch(batch.ring_slot, batch.index);
}

TEST(InterventionLoader, TheCApiHandsOutGeneratedSamplesWithTheirRecords) {
  const loader::testing::JpegTree tree(2, 6, false);
  const DirectionsFolder folder;
  const std::string json = mixed_config(tree.root(), folder, 3, "uint8_hwc").dump();
  genint_loader* handle = nullptr;
  ASSERT_EQ(genint_loader_create_from_json(json.c_str(), &handle), GENINT_OK) << genint_last_error_message();
  for (int index = 0; index < 5; ++index) {
    genint_batch batch{};
    ASSERT_EQ(genint_loader_next_batch(handle, &batch), GENINT_OK) << genint_last_error_message();
    ASSERT_EQ(batch.size, kNatural + kGenerated);
    for (int slot = 0; slot < batch.size; ++slot) {
      const bool generated = slot >= kNatural;
      EXPECT_EQ(batch.sources[slot], generated ? GENINT_SOURCE_INTERVENTION : GENINT_SOURCE_NATURAL);
      EXPECT_EQ(batch.interventions[slot].class_index >= 0, generated);
    }
    ASSERT_EQ(genint_loader_release_batch(handle, &batch), GENINT_OK);
  }
  genint_source_stats stats{};
  ASSERT_EQ(genint_loader_source_stats(handle, 1, &stats), GENINT_OK);
  EXPECT_EQ(stats.kind, GENINT_SOURCE_INTERVENTION);
  EXPECT_EQ(stats.batches_per_epoch, 0u);
  EXPECT_EQ(genint_loader_destroy(handle), GENINT_OK);

  nlohmann::json bad = nlohmann::json::parse(json);
  bad["sources"][1]["device_index"] = 0;  // refused on every build and machine: the entry runs on the CPU
  handle = nullptr;
  EXPECT_EQ(genint_loader_create_from_json(bad.dump().c_str(), &handle), GENINT_ERROR_INVALID_CONFIG);
  EXPECT_NE(std::string(genint_last_error_message()).find("sources[1].device_index"), std::string::npos)
      << genint_last_error_message();
  EXPECT_EQ(handle, nullptr);
}

}  // namespace
}  // namespace genint
