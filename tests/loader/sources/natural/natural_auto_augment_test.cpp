// AutoAugment in the natural source: each sample's pixels and recorded choice are what io's NaturalSampleMaker
// makes from that file and seed (both layouts), the 25 sub-policies come up uniformly (χ²), Mixup composes with it,
// and every bad key is refused naming its field.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "io/natural/natural_pipeline.h"
#include "loader/order/shard_order.h"
#include "loader/pipeline/loader_builder.h"
#include "loader/sources/natural/natural_source.h"
#include "loader/sources/sample_source.h"
#include "loader/support/jpeg_tree.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

using testing::JpegTree;

nlohmann::json auto_augment_config(const std::string& root, const std::string& layout, int count,
                                   const nlohmann::json& extra_keys = nlohmann::json::object()) {
  nlohmann::json natural = {
      {"kind", "natural"}, {"count", count}, {"threads", 2}, {"root", root}, {"auto_augment", "imagenet"}};
  natural.update(extra_keys);
  return {{"seed", 12}, {"image", {{"size", 16}, {"layout", layout}}}, {"sources", {natural}}};
}

std::uint8_t expected_ops(const io::AutoAugmentChoice& choice) {
  return static_cast<std::uint8_t>((choice.applied[0] ? 1 : 0) | (choice.applied[1] ? 2 : 0) |
                                   (choice.applied[0] && choice.negated[0] ? 4 : 0) |
                                   (choice.applied[1] && choice.negated[1] ? 8 : 0));
}

// Deterministic mode: batch b's sample j has shard position (b mod batches-per-epoch)·count + j and the seed
// mix(mix(seed, source 0 + 1, epoch, position), attempt 0); NaturalSampleMaker on that file and seed is the truth.
void check_against_io(const std::string& layout, const nlohmann::json& extra_keys) {
  const JpegTree tree(3, 8, false);
  const LoaderConfig config = parse_loader_config(auto_augment_config(tree.root(), layout, 5, extra_keys));
  const std::unique_ptr<SampleSource> source = make_natural_source(config, config.sources[0]);
  const auto& natural = dynamic_cast<const NaturalSource&>(*source);
  ASSERT_TRUE(natural.pipeline().auto_augment.has_value());
  io::NaturalSampleMaker maker(natural.pipeline());
  auto pipeline = make_loader_pipeline(config);
  const std::uint64_t per_epoch = pipeline->source_snapshot(0).batches_per_epoch;
  std::vector<std::uint8_t> expected(config.sample_bytes());
  int applied = 0;
  for (std::uint64_t index = 0; index < 8; ++index) {
    const BatchView batch = pipeline->next_batch();
    for (int slot = 0; slot < batch.size; ++slot) {
      const std::uint64_t position = (index % per_epoch) * 5 + static_cast<std::uint64_t>(slot);
      const std::uint64_t seed = mix_seed(mix_seed(12, 1, index / per_epoch, position), 0);
      const std::string path = natural.index().full_path(static_cast<std::size_t>(batch.items[slot]));
      const io::SampleResult result = layout == "uint8_hwc"
                                          ? maker.make_from_file(path, seed, expected.data())
                                          : maker.make_from_file(path, seed, reinterpret_cast<float*>(expected.data()));
      ASSERT_TRUE(io::decode_outcome_has_pixels(result.outcome)) << path;
      ASSERT_EQ(std::memcmp(batch.images + static_cast<std::size_t>(slot) * expected.size(), expected.data(),
                            expected.size()),
                0)
          << "batch " << index << " sample " << slot;
      ASSERT_GE(result.auto_augment.sub_policy, 0);
      EXPECT_EQ(batch.extras.auto_augment_sub_policies[slot], result.auto_augment.sub_policy);
      EXPECT_EQ(batch.extras.auto_augment_ops[slot], expected_ops(result.auto_augment));
      applied += (batch.extras.auto_augment_ops[slot] & 3) != 0;
    }
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  EXPECT_GT(applied, 0) << "no operation ran in 40 samples: AutoAugment was not applied";
}

TEST(NaturalAutoAugment, Uint8SamplesAndRecordsAreTheIoPipelines) {
  check_against_io("uint8_hwc", nlohmann::json::object());
}

TEST(NaturalAutoAugment, FloatSamplesWithBilinearAndFillAreTheIoPipelines) {
  check_against_io("float32_chw", {{"auto_augment_interpolation", "bilinear"}, {"auto_augment_fill", {128, 0, 255}}});
}

// 2500 samples over 25 equally likely sub-policies: χ² with 24 degrees of freedom; 51.18 is its 0.999 quantile.
// Seeded, so the outcome is fixed; a policy drawn from 24 entries, or always the first, gives χ² in the thousands.
TEST(NaturalAutoAugment, SubPoliciesAreDrawnUniformly) {
  const JpegTree tree(5, 10, false);  // 50 images: one epoch per batch of 50
  nlohmann::json config = auto_augment_config(tree.root(), "uint8_hwc", 50);
  config["image"]["size"] = 8;
  auto pipeline = make_loader_pipeline(parse_loader_config(config));
  std::vector<double> counts(25, 0.0);
  for (int index = 0; index < 50; ++index) {
    const BatchView batch = pipeline->next_batch();
    for (int slot = 0; slot < batch.size; ++slot) {
      const std::int32_t sub_policy = batch.extras.auto_augment_sub_policies[slot];
      ASSERT_TRUE(sub_policy >= 0 && sub_policy < 25) << sub_policy;
      counts[static_cast<std::size_t>(sub_policy)] += 1.0;
    }
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  double chi_square = 0.0;
  for (const double count : counts) chi_square += (count - 100.0) * (count - 100.0) / 100.0;
  EXPECT_LT(chi_square, 51.18);
}

TEST(NaturalAutoAugment, ComposesWithMixup) {
  const JpegTree tree(2, 10, false);
  nlohmann::json config = auto_augment_config(tree.root(), "uint8_hwc", 6);
  config["mixup"] = {{"alpha", 0.4}};
  auto pipeline = make_loader_pipeline(parse_loader_config(config));
  const BatchView batch = pipeline->next_batch();
  EXPECT_TRUE(batch.extras.mixup);
  for (int slot = 0; slot < batch.size; ++slot) {
    EXPECT_GE(batch.extras.auto_augment_sub_policies[slot], 0) << "each sample keeps its own AutoAugment record";
    EXPECT_NE(batch.extras.mixup_partners[slot], slot) << "six natural samples make three pairs";
  }
  pipeline->release_batch(batch.ring_slot, batch.index);
}

void expect_refused(const nlohmann::json& config, const std::string& field) {
  try {
    make_loader_pipeline(parse_loader_config(config));
    ADD_FAILURE() << "accepted: " << config.dump();
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.field(), field) << error.what();
  }
}

TEST(NaturalAutoAugment, BadKeysAreRefusedNamingTheField) {
  const JpegTree tree(2, 3, false);
  const std::string root = tree.root();
  nlohmann::json config = auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment", "cifar10"}});
  expect_refused(config, "sources[0].auto_augment");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment", 1}}), "sources[0].auto_augment");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment_interpolation", "bicubic"}}),
                 "sources[0].auto_augment_interpolation");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment_fill", {1, 2}}}),
                 "sources[0].auto_augment_fill");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment_fill", {0, 0, 256}}}),
                 "sources[0].auto_augment_fill");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"mode", "eval"}}), "sources[0].auto_augment");
  expect_refused(
      auto_augment_config(root, "uint8_hwc", 2, {{"auto_augment", "none"}, {"auto_augment_interpolation", "bilinear"}}),
      "sources[0].auto_augment_interpolation");
  expect_refused(auto_augment_config(root, "uint8_hwc", 2, {{"auto_augmnet", "imagenet"}}), "sources[0].auto_augmnet");
}

}  // namespace
}  // namespace genint::loader
