// ABI minor 3 through the shared libgenint, as a trainer uses it: per-sample extras (Mixup partners, their labels
// and λ checked by hand against the same batches unmixed; AutoAugment choices), their lifetime and misuse, Mixup's
// config errors, and a deterministic batch held by its own thread refused by name instead of hanging.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "genint.h"
#include "loader/support/jpeg_tree.h"

namespace {

using genint::loader::testing::JpegTree;

std::string config(const std::string& root, const std::string& extra, const std::string& layout = "uint8_hwc") {
  return R"({"seed": 9, "image": {"size": 8, "layout": ")" + layout + R"("}, )" + extra +
         R"("sources": [{"kind": "natural", "count": 7, "threads": 2, "root": ")" + root + R"("}]})";
}

void expect_failure(genint_status status, genint_status expected, const std::string& needle) {
  EXPECT_EQ(status, expected) << genint_status_name(status) << ": " << genint_last_error_message();
  EXPECT_NE(std::string(genint_last_error_message()).find(needle), std::string::npos)
      << "message '" << genint_last_error_message() << "' does not mention '" << needle << "'";
}

struct Taken {
  std::vector<std::uint8_t> images;
  std::vector<std::int32_t> labels, partners, partner_labels, sub_policies;
  std::vector<float> lambdas;
  int mixup = 0;
};

std::vector<Taken> take(const std::string& json, int batches) {
  genint_loader* loader = nullptr;
  EXPECT_EQ(genint_loader_create_from_json(json.c_str(), &loader), GENINT_OK) << genint_last_error_message();
  std::vector<Taken> taken;
  for (int index = 0; index < batches && loader != nullptr; ++index) {
    genint_batch batch{};
    EXPECT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK) << genint_last_error_message();
    const genint_batch_extras* extras = nullptr;
    EXPECT_EQ(genint_loader_batch_extras(loader, &batch, &extras), GENINT_OK) << genint_last_error_message();
    EXPECT_EQ(extras->struct_size, sizeof(genint_batch_extras));
    const auto size = static_cast<std::size_t>(batch.size);
    const auto* images = static_cast<const std::uint8_t*>(batch.images);
    Taken copy;
    copy.images.assign(images, images + size * batch.sample_bytes);
    copy.labels.assign(batch.labels, batch.labels + size);
    copy.partners.assign(extras->mixup_partners, extras->mixup_partners + size);
    copy.partner_labels.assign(extras->mixup_partner_labels, extras->mixup_partner_labels + size);
    copy.sub_policies.assign(extras->auto_augment_sub_policies, extras->auto_augment_sub_policies + size);
    copy.lambdas.assign(extras->mixup_lambdas, extras->mixup_lambdas + size);
    copy.mixup = extras->mixup;
    for (std::size_t sample = 0; sample < size; ++sample) EXPECT_EQ(extras->transfer_alphas[sample], -1.0f);
    EXPECT_EQ(genint_loader_release_batch(loader, &batch), GENINT_OK);
    taken.push_back(std::move(copy));
  }
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
  return taken;
}

// Mixup draws nothing from the samples' seeds, so the same config without it gives each batch unmixed: every
// mixed value is then λ·own + (1 − λ)·partner's, rounded half up (uint8) or in float (float32).
void check_by_hand(const std::string& layout) {
  const JpegTree tree(3, 10, false);
  const std::vector<Taken> plain = take(config(tree.root(), "", layout), 6);
  const std::vector<Taken> mixed = take(config(tree.root(), R"("mixup": {"alpha": 0.4}, )", layout), 6);
  ASSERT_EQ(plain.size(), mixed.size());
  const bool floats = layout == "float32_chw";
  const double quantum = 256.0;  // both layouts
  for (std::size_t batch = 0; batch < plain.size(); ++batch) {
    EXPECT_EQ(plain[batch].mixup, 0);
    EXPECT_EQ(mixed[batch].mixup, 1);
    EXPECT_EQ(mixed[batch].labels, plain[batch].labels);
    int unmixed = 0;
    const std::size_t sample_bytes = plain[batch].images.size() / 7;
    for (std::size_t sample = 0; sample < 7; ++sample) {
      const auto partner = static_cast<std::size_t>(mixed[batch].partners[sample]);
      const double lambda = mixed[batch].lambdas[sample];
      ASSERT_LT(partner, 7u);
      EXPECT_EQ(static_cast<std::size_t>(mixed[batch].partners[partner]), sample);
      EXPECT_EQ(mixed[batch].partner_labels[sample], plain[batch].labels[partner]);
      EXPECT_EQ(lambda * quantum, std::round(lambda * quantum)) << "λ is a whole number of quanta";
      unmixed += partner == sample;
      const std::uint8_t* own = &plain[batch].images[sample * sample_bytes];
      const std::uint8_t* other = &plain[batch].images[partner * sample_bytes];
      const std::uint8_t* got = &mixed[batch].images[sample * sample_bytes];
      for (std::size_t value = 0; value < sample_bytes / (floats ? 4 : 1); ++value) {
        if (!floats) {
          ASSERT_EQ(got[value], std::floor(lambda * own[value] + (1 - lambda) * other[value] + 0.5));
          continue;
        }
        float a = 0, b = 0, c = 0;
        std::memcpy(&a, own + 4 * value, 4);
        std::memcpy(&b, other + 4 * value, 4);
        std::memcpy(&c, got + 4 * value, 4);
        // Normalised values lie within ±3: two products and a sum in float, each rounded once.
        ASSERT_NEAR(c, lambda * a + (1 - lambda) * b, 1e-6);
      }
    }
    EXPECT_EQ(unmixed, 1) << "seven samples: three pairs and one left out";
  }
  const std::vector<Taken> again = take(config(tree.root(), R"("mixup": {"alpha": 0.4}, )", layout), 6);
  for (std::size_t batch = 0; batch < again.size(); ++batch) {
    EXPECT_EQ(again[batch].images, mixed[batch].images) << "deterministic mode: bit-identical";
    EXPECT_EQ(again[batch].partners, mixed[batch].partners);
    EXPECT_EQ(std::memcmp(again[batch].lambdas.data(), mixed[batch].lambdas.data(), 7 * sizeof(float)), 0);
  }
}

TEST(CApiExtras, MixupUint8BatchesAreTheHandComputedBlendsOfTheUnmixedOnes) {
  check_by_hand("uint8_hwc");
}

TEST(CApiExtras, MixupFloatBatchesAreTheHandComputedBlendsOfTheUnmixedOnes) {
  check_by_hand("float32_chw");
}

TEST(CApiExtras, AutoAugmentChoicesArriveWithTheBatch) {
  const JpegTree tree(2, 10, false);
  const std::string json = R"({"seed": 2, "image": {"size": 8}, "sources": [{"kind": "natural", "count": 7,
      "root": ")" + tree.root() +
                           R"(", "auto_augment": "imagenet", "auto_augment_interpolation": "bilinear"}]})";
  for (const Taken& batch : take(json, 4))
    for (const std::int32_t sub_policy : batch.sub_policies) EXPECT_TRUE(sub_policy >= 0 && sub_policy < 25);
}

TEST(CApiExtras, ExtrasBelongToABorrowedBatch) {
  EXPECT_GE(genint_abi_minor_version(), 3);
  const JpegTree tree(2, 6, false);
  genint_loader* loader = nullptr;
  ASSERT_EQ(genint_loader_create_from_json(config(tree.root(), "").c_str(), &loader), GENINT_OK)
      << genint_last_error_message();
  genint_batch batch{};
  ASSERT_EQ(genint_loader_next_batch(loader, &batch), GENINT_OK);
  const genint_batch_extras* extras = nullptr;
  expect_failure(genint_loader_batch_extras(nullptr, &batch, &extras), GENINT_ERROR_INVALID_ARGUMENT, "loader is NULL");
  expect_failure(genint_loader_batch_extras(loader, nullptr, &extras), GENINT_ERROR_INVALID_ARGUMENT, "batch is NULL");
  expect_failure(genint_loader_batch_extras(loader, &batch, nullptr), GENINT_ERROR_INVALID_ARGUMENT, "out_extras");
  ASSERT_EQ(genint_loader_batch_extras(loader, &batch, &extras), GENINT_OK);
  for (int sample = 0; sample < batch.size; ++sample) {  // no Mixup: each sample is its own partner, λ = 1
    EXPECT_EQ(extras->mixup_partners[sample], sample);
    EXPECT_EQ(extras->mixup_partner_labels[sample], batch.labels[sample]);
    EXPECT_EQ(extras->mixup_lambdas[sample], 1.0f);
    EXPECT_EQ(extras->auto_augment_sub_policies[sample], -1);
  }
  ASSERT_EQ(genint_loader_release_batch(loader, &batch), GENINT_OK);
  expect_failure(genint_loader_batch_extras(loader, &batch, &extras), GENINT_ERROR_INVALID_ARGUMENT, "not borrowed");
  EXPECT_EQ(extras, nullptr);
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
}

TEST(CApiExtras, BadMixupAndAutoAugmentSettingsNameTheField) {
  const JpegTree tree(2, 3, false);
  const struct {
    std::string extra;
    std::string field;
  } cases[] = {
      {R"("mixup": {"alpha": 0}, )", "mixup.alpha"},
      {R"("mixup": {"alpha": -1}, )", "mixup.alpha"},
      {R"("mixup": {"alpha": 0.4, "prob": 1}, )", "mixup.prob"},
      {R"("mixup": true, )", "mixup"},
  };
  for (const auto& bad : cases) {
    genint_loader* loader = nullptr;
    expect_failure(genint_loader_create_from_json(config(tree.root(), bad.extra).c_str(), &loader),
                   GENINT_ERROR_INVALID_CONFIG, bad.field);
    EXPECT_EQ(loader, nullptr);
  }
  genint_loader* loader = nullptr;
  const std::string policy =
      R"({"sources": [{"kind": "natural", "count": 2, "root": ")" + tree.root() + R"(", "auto_augment": "svhn"}]})";
  expect_failure(genint_loader_create_from_json(policy.c_str(), &loader), GENINT_ERROR_INVALID_CONFIG,
                 "sources[0].auto_augment");
}

// Before ABI minor 3's fix this call never returned: batch 2 is made in batch 0's buffer, held by this thread.
TEST(CApiExtras, ADeterministicBatchHeldByTheCallerIsNamedInsteadOfHanging) {
  const JpegTree tree(2, 8, false);
  genint_loader* loader = nullptr;
  ASSERT_EQ(genint_loader_create_from_json(config(tree.root(), R"("batches_in_flight": 2, )").c_str(), &loader),
            GENINT_OK);
  genint_batch held{}, second{}, third{};
  ASSERT_EQ(genint_loader_next_batch(loader, &held), GENINT_OK);
  ASSERT_EQ(genint_loader_next_batch(loader, &second), GENINT_OK);
  ASSERT_EQ(genint_loader_release_batch(loader, &second), GENINT_OK);
  expect_failure(genint_loader_next_batch(loader, &third), GENINT_ERROR_INVALID_ARGUMENT,
                 "batch 0 is still borrowed by this thread");
  EXPECT_EQ(genint_last_error_status(), GENINT_ERROR_INVALID_ARGUMENT);
  ASSERT_EQ(genint_loader_release_batch(loader, &held), GENINT_OK);
  ASSERT_EQ(genint_loader_next_batch(loader, &third), GENINT_OK) << genint_last_error_message();
  EXPECT_EQ(third.index, 2u);
  ASSERT_EQ(genint_loader_release_batch(loader, &third), GENINT_OK);
  EXPECT_EQ(genint_loader_destroy(loader), GENINT_OK);
}

}  // namespace
