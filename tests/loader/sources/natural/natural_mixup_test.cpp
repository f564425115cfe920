// Mixup on the real natural source: float32 pairs are blended as the uint8 images they are made from, so a float32
// Mixup batch is exactly the uint8 Mixup batch normalised; a pair with an unreadable file still comes out blended.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "loader/pipeline/loader_builder.h"
#include "loader/support/jpeg_tree.h"
#include "nn/ops/normalize_images.h"

namespace genint::loader {
namespace {

using testing::JpegTree;

constexpr int image_size = 16, per_batch = 8;  // an even count: every chunk of the lane is whole pairs

nlohmann::json mixup_config(const std::string& root, const std::string& layout, bool mixup) {
  nlohmann::json config = {{"seed", 5},
                           {"image", {{"size", image_size}, {"layout", layout}}},
                           {"sources", {{{"kind", "natural"}, {"count", per_batch}, {"threads", 2}, {"root", root}}}}};
  if (mixup) config["mixup"] = {{"alpha", 0.4}};
  return config;
}

struct Taken {
  std::vector<std::uint8_t> images;
  std::vector<std::int32_t> labels, partners;
  std::vector<float> lambdas;
};

std::vector<Taken> take(const nlohmann::json& json, int batches, std::uint64_t* skipped = nullptr) {
  const LoaderConfig config = parse_loader_config(json);
  auto pipeline = make_loader_pipeline(config);
  std::vector<Taken> taken;
  for (int index = 0; index < batches; ++index) {
    const BatchView batch = pipeline->next_batch();
    const auto size = static_cast<std::size_t>(batch.size);
    Taken copy;
    copy.images.assign(batch.images, batch.images + size * config.sample_bytes());
    copy.labels.assign(batch.labels, batch.labels + size);
    copy.partners.assign(batch.extras.mixup_partners, batch.extras.mixup_partners + size);
    copy.lambdas.assign(batch.extras.mixup_lambdas, batch.extras.mixup_lambdas + size);
    pipeline->release_batch(batch.ring_slot, batch.index);
    taken.push_back(std::move(copy));
  }
  if (skipped != nullptr) *skipped = pipeline->source_statistics(0).skipped();
  return taken;
}

std::vector<float> as_floats(const std::vector<std::uint8_t>& bytes) {
  std::vector<float> values(bytes.size() / sizeof(float));
  std::memcpy(values.data(), bytes.data(), bytes.size());
  return values;
}

TEST(NaturalMixup, FloatBatchesAreTheUint8MixupBatchesNormalised) {
  const JpegTree tree(3, 10, false);
  const std::vector<Taken> bytes = take(mixup_config(tree.root(), "uint8_hwc", true), 6);
  const std::vector<Taken> floats = take(mixup_config(tree.root(), "float32_chw", true), 6);
  const std::vector<Taken> plain = take(mixup_config(tree.root(), "uint8_hwc", false), 6);
  int mixed = 0;
  for (std::size_t batch = 0; batch < bytes.size(); ++batch) {
    ASSERT_EQ(floats[batch].labels, bytes[batch].labels);
    ASSERT_EQ(floats[batch].partners, bytes[batch].partners);
    ASSERT_EQ(floats[batch].lambdas, bytes[batch].lambdas) << "the same λ in both layouts";
    std::vector<float> normalised(floats[batch].images.size() / sizeof(float));
    normalize_images_cpu(bytes[batch].images.data(), per_batch, image_size, image_size, ImageNormalization{},
                         normalised.data());
    // Both sides are pixel · scale + shift as one fused multiply-add (normalize_images.h): equal bits, no tolerance.
    EXPECT_EQ(as_floats(floats[batch].images), normalised) << "batch " << batch;
    for (std::size_t sample = 0; sample < per_batch; ++sample) {
      mixed += floats[batch].partners[sample] != static_cast<std::int32_t>(sample) && floats[batch].lambdas[sample] < 1;
      EXPECT_NE(floats[batch].partners[sample], static_cast<std::int32_t>(sample)) << "eight samples: four pairs";
    }
    EXPECT_NE(bytes[batch].images, plain[batch].images) << "Mixup changed nothing in batch " << batch;
  }
  EXPECT_GT(mixed, 0);
}

// A file that cannot be decoded is replaced by a deterministic substitute; its pair is then blended in float32
// instead of as uint8, with the same λ. Every value is λ·own + (1 − λ)·partner of the unmixed batch, to within half a
// uint8 level over the smallest std (the staged pairs round the blended pixel once; float rounding is far smaller).
TEST(NaturalMixup, APairWithAnUnreadableFileIsStillBlended) {
  const JpegTree tree(2, 4, true);
  std::uint64_t skipped = 0;
  const std::vector<Taken> mixed = take(mixup_config(tree.root(), "float32_chw", true), 12, &skipped);
  const std::vector<Taken> plain = take(mixup_config(tree.root(), "float32_chw", false), 12);
  EXPECT_GT(skipped, 0u) << "the broken file was never drawn: the fallback went untested";
  const double tolerance = 0.5 / 255.0 / 0.224 + 1e-5;
  const std::size_t values = mixed[0].images.size() / sizeof(float) / per_batch;
  for (std::size_t batch = 0; batch < mixed.size(); ++batch) {
    ASSERT_EQ(mixed[batch].labels, plain[batch].labels);
    const std::vector<float> got = as_floats(mixed[batch].images), before = as_floats(plain[batch].images);
    for (std::size_t sample = 0; sample < per_batch; ++sample) {
      const auto partner = static_cast<std::size_t>(mixed[batch].partners[sample]);
      const double lambda = mixed[batch].lambdas[sample];
      for (std::size_t value = 0; value < values; ++value)
        ASSERT_NEAR(got[sample * values + value],
                    lambda * before[sample * values + value] + (1 - lambda) * before[partner * values + value],
                    tolerance)
            << "batch " << batch << " sample " << sample << " value " << value;
    }
  }
  const std::vector<Taken> again = take(mixup_config(tree.root(), "float32_chw", true), 12);
  for (std::size_t batch = 0; batch < mixed.size(); ++batch)
    EXPECT_EQ(again[batch].images, mixed[batch].images) << "deterministic mode: bit-identical, batch " << batch;
}

}  // namespace
}  // namespace genint::loader
