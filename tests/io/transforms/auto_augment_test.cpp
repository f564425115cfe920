// AutoAugment against torchvision 0.14's tensor backend (tools/golden/make_autoaugment_goldens.py): the policy
// table, the magnitude bins, every operation at several magnitudes and signs, and all 25 sub-policies.
#include "io/transforms/auto_augment.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/golden_file.h"

namespace genint::io {
namespace {

using testing::GoldenFile;

const GoldenFile& golden() {
  static const GoldenFile file(std::string(GENINT_TEST_DATA_DIR) + "/golden/io/auto_augment.safetensors");
  return file;
}

struct Image {
  std::vector<std::uint8_t> pixels;  // HWC RGB
  int width = 0;
  int height = 0;
};

Image golden_image(const std::string& key) {
  Image image;
  image.height = golden().dimension(key, 0);
  image.width = golden().dimension(key, 1);
  image.pixels = golden().read<std::uint8_t>(key);
  return image;
}

AutoAugmentOp op_named(const std::string& name) {
  for (int index = 0; index < kAutoAugmentOpCount; ++index)
    if (name == auto_augment_op_name(static_cast<AutoAugmentOp>(index))) return static_cast<AutoAugmentOp>(index);
  ADD_FAILURE() << "unknown op " << name;
  return AutoAugmentOp::Invert;
}

AutoAugmentOptions options_of(const nlohmann::json& test_case) {
  AutoAugmentOptions options;
  options.interpolation = auto_augment_interpolation_from_name(test_case.at("interpolation").get<std::string>());
  if (!test_case.at("fill").is_null()) {
    options.fill.given = true;
    for (int channel = 0; channel < 3; ++channel)
      options.fill.value[channel] = test_case.at("fill").at(channel).get<std::uint8_t>();
  }
  return options;
}

// How many grey levels genint may be from torchvision, per op. Every op is held to 0 (bit-exact), because
// genint rounds where torch rounds rather than approximating:
//  - Invert, Posterize, Solarize: integer (solarize's float32 threshold compare is exact on integers).
//  - Equalize: torchvision's table is int64 floor division (PIL's rule); no floating point at all.
//  - Brightness, Color, Contrast, Sharpness, AutoContrast: float32 products and sums truncated to uint8;
//    each float32 operation is a separate torch kernel and genint rounds after each one (AutoContrast's
//    255 / (max − min) is torch's reciprocal · 255); sharpness's smoothed value S / 13 is never within
//    1/26 of a half, so its rounding cannot tie.
//  - ShearX/Y, TranslateX/Y, Rotate (nearest and bilinear): the float32 sampling grid is rebuilt with the
//    fused multiply-adds torch's build uses (OpenBLAS's sgemm, grid_sample's kernel), so even exact half-pixel
//    ties (shear bins 2 and 6) fall the same way. Goldens from a torch built with other fusion choices would
//    differ from these at such ties (a few pixels), and would need a tolerance here.
constexpr int kToleranceLevels[kAutoAugmentOpCount] = {
    0, 0, 0, 0, 0,  // ShearX, ShearY, TranslateX, TranslateY, Rotate: grid replicated to the last float32 bit
    0, 0, 0, 0,     // Brightness, Color, Contrast, Sharpness: float32 blends rounded where torch rounds
    0, 0,           // Posterize, Solarize: integer
    0, 0,           // AutoContrast (float32, rounded as torch), Equalize (integer table)
    0,              // Invert: integer
};
int tolerance_for(AutoAugmentOp op) {
  return kToleranceLevels[static_cast<int>(op)];
}

void expect_close(const std::vector<std::uint8_t>& actual, const std::vector<std::uint8_t>& expected, int tolerance,
                  const std::string& what) {
  ASSERT_EQ(actual.size(), expected.size()) << what;
  int worst = 0;
  std::size_t differing = 0, first = 0;
  for (std::size_t index = 0; index < actual.size(); ++index) {
    const int difference = std::abs(int(actual[index]) - int(expected[index]));
    if (difference == 0) continue;
    if (differing++ == 0) first = index;
    worst = std::max(worst, difference);
  }
  EXPECT_LE(worst, tolerance) << what << ": " << differing << " of " << actual.size() << " values differ, the first at "
                              << first << " (" << int(actual[first]) << " vs " << int(expected[first]) << ")";
}

nlohmann::json cases() {
  return nlohmann::json::parse(golden().metadata("cases"));
}

TEST(AutoAugmentGolden, PolicyTableIsTorchvisions) {
  const auto reference = nlohmann::json::parse(golden().metadata("imagenet_policy"));
  const auto& policy = auto_augment_sub_policies(AutoAugmentPolicy::ImageNet);
  ASSERT_EQ(policy.size(), reference.size());
  ASSERT_EQ(policy.size(), 25u);
  for (std::size_t index = 0; index < policy.size(); ++index)
    for (int step = 0; step < 2; ++step) {
      const auto& entry = reference[index][step];
      EXPECT_STREQ(auto_augment_op_name(policy[index][step].op), entry[0].get<std::string>().c_str()) << index;
      EXPECT_EQ(policy[index][step].probability, entry[1].get<double>()) << index;
      EXPECT_EQ(policy[index][step].magnitude_bin, entry[2].is_null() ? -1 : entry[2].get<int>()) << index;
    }
}

// _augmentation_space(10, (H, W)) value for value, as float32 (what .item() hands AutoAugment).
TEST(AutoAugmentGolden, MagnitudeBinsAreTorchvisions) {
  for (const auto& [height, width] : std::vector<std::pair<int, int>>{{32, 32}, {29, 37}, {6, 8}, {224, 224}, {1, 1}}) {
    const auto table = golden().floats("space." + std::to_string(height) + "x" + std::to_string(width));
    for (int op = 0; op < kAutoAugmentOpCount; ++op)
      for (int bin = 0; bin < kAutoAugmentMagnitudeBins; ++bin)
        EXPECT_EQ(static_cast<float>(auto_augment_magnitude(static_cast<AutoAugmentOp>(op), bin, width, height)),
                  table[op * kAutoAugmentMagnitudeBins + bin])
            << auto_augment_op_name(static_cast<AutoAugmentOp>(op)) << " bin " << bin << " at " << width << "x"
            << height;
  }
  // TranslateX's whole-pixel shifts for every width 1..300: int() of a float32 linspace, where one ulp decides.
  const auto shifts = golden().read<std::int32_t>("translate_bins");
  ASSERT_EQ(shifts.size(), 300u * kAutoAugmentMagnitudeBins);
  for (int width = 1; width <= 300; ++width)
    for (int bin = 0; bin < kAutoAugmentMagnitudeBins; ++bin)
      ASSERT_EQ(static_cast<int>(auto_augment_magnitude(AutoAugmentOp::TranslateX, bin, width, 1)),
                shifts[(width - 1) * kAutoAugmentMagnitudeBins + bin])
          << "width " << width << " bin " << bin;
}

TEST(AutoAugmentGolden, EveryOperationMatchesTorchvision) {
  std::vector<std::uint8_t> scratch;
  int checked = 0;
  std::vector<bool> seen(kAutoAugmentOpCount, false);
  for (const auto& test_case : cases()) {
    if (test_case.at("kind") != "op") continue;
    const AutoAugmentOp op = op_named(test_case.at("op").get<std::string>());
    Image image = golden_image("image." + test_case.at("image").get<std::string>());
    const std::string what = "op." + std::to_string(test_case.at("index").get<int>()) + " " + test_case.dump();
    // The bin's magnitude, signed as AutoAugment.forward signs it, is exactly what torchvision used.
    double magnitude = auto_augment_magnitude(op, test_case.at("bin").get<int>(), image.width, image.height);
    if (auto_augment_op_is_signed(op) && test_case.at("sign").get<int>() < 0) magnitude = -magnitude;
    EXPECT_EQ(magnitude, test_case.at("magnitude").get<double>()) << what;
    const AutoAugmentOptions options = options_of(test_case);
    apply_auto_augment_op(image.pixels.data(), image.width, image.height, op, magnitude, options, scratch);
    expect_close(image.pixels, golden().read<std::uint8_t>("op." + std::to_string(test_case.at("index").get<int>())),
                 tolerance_for(op), what);
    seen[static_cast<std::size_t>(op)] = true;
    ++checked;
  }
  EXPECT_EQ(checked, 73);
  for (int op = 0; op < kAutoAugmentOpCount; ++op)
    EXPECT_TRUE(seen[op]) << auto_augment_op_name(static_cast<AutoAugmentOp>(op)) << " has no golden";
}

// Both steps forced on (torchvision: probabilities 0 pass probs[i] <= p, p = 0.0 included) with the case's signs.
TEST(AutoAugmentGolden, EverySubPolicyMatchesTorchvision) {
  std::vector<bool> seen(25, false);
  for (const auto& test_case : cases()) {
    if (test_case.at("kind") != "policy") continue;
    const AutoAugmentOptions options = options_of(test_case);
    AutoAugment auto_augment(options);
    AutoAugmentChoice choice;
    choice.sub_policy = test_case.at("sub_policy").get<int>();
    int tolerance = 0;
    for (int step = 0; step < 2; ++step) {
      const AutoAugmentOp op = auto_augment.sub_policies()[choice.sub_policy][step].op;
      choice.applied[step] = true;
      choice.negated[step] = auto_augment_op_is_signed(op) && test_case.at("signs").at(step).get<int>() == 0;
      tolerance = std::max(tolerance, tolerance_for(op));
    }
    Image image = golden_image("image." + test_case.at("image").get<std::string>());
    auto_augment.apply(image.pixels.data(), image.width, image.height, choice);
    const std::string key = "policy." + std::to_string(test_case.at("index").get<int>());
    expect_close(image.pixels, golden().read<std::uint8_t>(key), tolerance, key + " " + test_case.dump());
    seen[static_cast<std::size_t>(choice.sub_policy)] = true;
  }
  for (int index = 0; index < 25; ++index) EXPECT_TRUE(seen[index]) << "sub-policy " << index << " has no golden";
}

}  // namespace
}  // namespace genint::io
