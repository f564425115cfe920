// AutoAugment's draw: sub-policy frequencies uniform over 25, each step applied with its probability, signs fair
// (chi-square tests on fixed seeds), determinism, the choice record, and refused settings.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "io/transforms/auto_augment.h"
#include "nn/core/error.h"

namespace genint::io {
namespace {

// Samples per statistical test: one SampleRandom per sample seeded with its index, as the loader seeds them.
constexpr int kSamples = 200000;

std::vector<AutoAugmentChoice> draw_many(const AutoAugment& auto_augment) {
  std::vector<AutoAugmentChoice> choices;
  choices.reserve(kSamples);
  for (std::uint64_t seed = 0; seed < kSamples; ++seed) {
    SampleRandom random(seed * 0x9E3779B97F4A7C15ull + 18);
    choices.push_back(auto_augment.draw(random));
  }
  return choices;
}

TEST(AutoAugmentDraw, SubPolicyChoiceIsUniform) {
  const AutoAugment auto_augment;
  std::array<int, 25> counts{};
  for (const AutoAugmentChoice& choice : draw_many(auto_augment)) {
    ASSERT_GE(choice.sub_policy, 0);
    ASSERT_LT(choice.sub_policy, 25);
    ++counts[choice.sub_policy];
  }
  const double expected = kSamples / 25.0;
  double statistic = 0.0;
  for (const int count : counts) statistic += (count - expected) * (count - expected) / expected;
  // Chi-square with 24 degrees of freedom: 51.18 is its 0.999 quantile (scipy.stats.chi2.ppf(0.999, 24)).
  EXPECT_LT(statistic, 51.18);
}

// Each (sub-policy, step) cell: applied in a share p of the samples that drew the sub-policy. Cells with
// 0 < p < 1 are pooled into one chi-square (42 cells); p = 1 must always apply and p = 0 never.
TEST(AutoAugmentDraw, StepsApplyWithTheirProbabilities) {
  const AutoAugment auto_augment;
  std::array<std::array<int, 2>, 25> drawn{}, applied{};
  for (const AutoAugmentChoice& choice : draw_many(auto_augment))
    for (int step = 0; step < 2; ++step) {
      ++drawn[choice.sub_policy][step];
      applied[choice.sub_policy][step] += choice.applied[step];
    }
  double statistic = 0.0;
  int cells = 0;
  for (int index = 0; index < 25; ++index)
    for (int step = 0; step < 2; ++step) {
      const double probability = auto_augment.sub_policies()[index][step].probability;
      const int count = drawn[index][step];
      ASSERT_GT(count, 0);
      if (probability == 1.0) {
        EXPECT_EQ(applied[index][step], count) << "sub-policy " << index << " step " << step;
      } else if (probability == 0.0) {
        EXPECT_EQ(applied[index][step], 0) << "sub-policy " << index << " step " << step;
      } else {
        const double expected = count * probability;
        const double difference = applied[index][step] - expected;
        statistic += difference * difference / (expected * (1.0 - probability));
        ++cells;
      }
    }
  ASSERT_EQ(cells, 42);
  // Chi-square with 42 degrees of freedom: 0.999 quantile 76.08 (scipy.stats.chi2.ppf(0.999, 42)).
  EXPECT_LT(statistic, 76.08);
}

// Signed steps (16 cells of the ImageNet policy) are negated half the time; unsigned ones never.
TEST(AutoAugmentDraw, SignsAreFairAndOnlyOnSignedOps) {
  const AutoAugment auto_augment;
  std::array<std::array<int, 2>, 25> drawn{}, negated{};
  for (const AutoAugmentChoice& choice : draw_many(auto_augment))
    for (int step = 0; step < 2; ++step) {
      ++drawn[choice.sub_policy][step];
      negated[choice.sub_policy][step] += choice.negated[step];
    }
  double statistic = 0.0;
  int cells = 0;
  for (int index = 0; index < 25; ++index)
    for (int step = 0; step < 2; ++step) {
      if (!auto_augment_op_is_signed(auto_augment.sub_policies()[index][step].op)) {
        EXPECT_EQ(negated[index][step], 0) << "sub-policy " << index << " step " << step;
        continue;
      }
      const double expected = drawn[index][step] * 0.5;
      statistic += (negated[index][step] - expected) * (negated[index][step] - expected) / (expected * 0.5);
      ++cells;
    }
  ASSERT_EQ(cells, 16);
  // Chi-square with 16 degrees of freedom: 0.999 quantile 39.25 (scipy.stats.chi2.ppf(0.999, 16)).
  EXPECT_LT(statistic, 39.25);
}

std::vector<std::uint8_t> noise_image(int width, int height, std::uint32_t seed) {
  std::mt19937 generator(seed);
  std::vector<std::uint8_t> image(std::size_t(width) * height * 3);
  for (auto& value : image) value = static_cast<std::uint8_t>(generator());
  return image;
}

TEST(AutoAugmentDraw, SameSeedSameChoiceAndPixels) {
  AutoAugment auto_augment;
  const auto original = noise_image(40, 30, 3);
  int changed = 0;
  for (std::uint64_t seed = 0; seed < 50; ++seed) {
    auto first = original, second = original;
    SampleRandom random_first(seed), random_second(seed);
    const AutoAugmentChoice choice_first = auto_augment.draw(random_first);
    const AutoAugmentChoice choice_second = auto_augment.draw(random_second);
    auto_augment.apply(first.data(), 40, 30, choice_first);
    auto_augment.apply(second.data(), 40, 30, choice_second);
    EXPECT_EQ(first, second);
    EXPECT_EQ(choice_first.sub_policy, choice_second.sub_policy);
    EXPECT_EQ(choice_first.applied, choice_second.applied);
    EXPECT_EQ(choice_first.negated, choice_second.negated);
    // The record replays: applying the recorded choice to the original gives the same pixels.
    auto replayed = original;
    auto_augment.apply(replayed.data(), 40, 30, choice_first);
    EXPECT_EQ(replayed, first);
    changed += first != original;
  }
  EXPECT_GT(changed, 25);  // most samples run at least one step that changes noise
}

TEST(AutoAugmentDraw, NoSubPolicyLeavesTheImage) {
  AutoAugment auto_augment;
  auto image = noise_image(8, 8, 4);
  const auto original = image;
  auto_augment.apply(image.data(), 8, 8, AutoAugmentChoice{});
  EXPECT_EQ(image, original);
}

TEST(AutoAugmentDraw, StepMagnitudeCarriesTheSign) {
  const AutoAugment auto_augment;
  AutoAugmentChoice choice;
  choice.sub_policy = 0;  // (Posterize, 0.4, 8), (Rotate, 0.6, 9)
  choice.negated = {false, true};
  EXPECT_EQ(auto_augment.step_magnitude(choice, 0, 224, 224), 4.0);
  EXPECT_EQ(auto_augment.step_magnitude(choice, 1, 224, 224), -30.0);
  choice.sub_policy = 2;  // (Equalize, 0.8, None): no magnitude
  EXPECT_EQ(auto_augment.step_magnitude(choice, 0, 224, 224), 0.0);
}

template <typename Call>
void expect_error_mentioning(Call call, const std::string& text) {
  try {
    call();
    ADD_FAILURE() << "no error; expected one mentioning " << text;
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
  }
}

TEST(AutoAugmentSettings, UnknownNamesAreRefusedNamingWhatIsOffered) {
  EXPECT_EQ(auto_augment_policy_from_name("imagenet"), AutoAugmentPolicy::ImageNet);
  expect_error_mentioning([] { auto_augment_policy_from_name("cifar10"); }, "\"imagenet\"");
  expect_error_mentioning([] { auto_augment_policy_from_name("ImageNet"); }, "unknown policy");
  EXPECT_EQ(auto_augment_interpolation_from_name("bilinear"), AutoAugmentInterpolation::Bilinear);
  expect_error_mentioning([] { auto_augment_interpolation_from_name("bicubic"); }, "\"nearest\", \"bilinear\"");
  expect_error_mentioning([] { auto_augment_magnitude(AutoAugmentOp::Rotate, 10, 8, 8); }, "bin must be in 0..9");
}

}  // namespace
}  // namespace genint::io
