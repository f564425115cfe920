// Crop geometry against torchvision: RandomResizedCrop.get_params' distribution (two-sample KS against
// the committed reference made by tools/golden/rrc_reference.py) and Resize + CenterCrop's arithmetic.
#include "io/transforms/random_resized_crop.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <string>
#include <vector>

#include "io/transforms/sample_random.h"

namespace genint::io {
namespace {

using Samples = std::map<std::string, std::vector<double>>;

Samples draw_crops(int width, int height, const RandomResizedCropOptions& options, int draws, std::uint64_t seed) {
  Samples samples;
  SampleRandom random(seed);
  for (int draw = 0; draw < draws; ++draw) {
    const PixelRect crop = random_resized_crop_params(width, height, options, random);
    samples["area_fraction"].push_back(static_cast<double>(crop.width) * crop.height /
                                       (static_cast<double>(width) * height));
    samples["log_aspect"].push_back(std::log(static_cast<double>(crop.width) / crop.height));
    samples["center_x"].push_back((crop.x + crop.width / 2.0) / width);
    samples["center_y"].push_back((crop.y + crop.height / 2.0) / height);
  }
  for (auto& entry : samples) std::sort(entry.second.begin(), entry.second.end());
  return samples;
}

// Largest |F_ours(t) − F_torchvision(t)| over the reference's evaluation points (its percentiles).
double ks_distance(const std::vector<double>& sorted, const nlohmann::json& reference) {
  const auto points = reference["points"].get<std::vector<double>>();
  const auto cdf = reference["cdf"].get<std::vector<double>>();
  double distance = 0.0;
  for (std::size_t index = 0; index < points.size(); ++index) {
    // The relative slack absorbs the last-bit difference between Python's and C++'s arithmetic at ties.
    const double point = points[index] + std::abs(points[index]) * 1e-12;
    const double ours = static_cast<double>(std::upper_bound(sorted.begin(), sorted.end(), point) - sorted.begin()) /
                        static_cast<double>(sorted.size());
    distance = std::max(distance, std::abs(ours - cdf[index]));
  }
  return distance;
}

nlohmann::json load_reference() {
  std::ifstream stream(std::string(GENINT_TEST_DATA_DIR) + "/jpeg/rrc_reference.json");
  EXPECT_TRUE(stream.good()) << "missing tests/data/jpeg/rrc_reference.json";
  return nlohmann::json::parse(stream);
}

// Two-sample KS at α = 0.001 with n = m = 100 000: D_crit = 1.949·sqrt(2/100000) = 0.00872. The seed is
// fixed, so the test is deterministic; a correct implementation passes for all but ~1 seed in 1000.
constexpr double kKsCritical = 0.00872;

TEST(RandomResizedCrop, DistributionMatchesTorchvision) {
  const nlohmann::json reference = load_reference();
  const int draws = reference["draws"].get<int>();
  for (const auto& size : reference["sizes"]) {
    const int width = size["width"].get<int>(), height = size["height"].get<int>();
    const Samples samples = draw_crops(width, height, {}, draws, 12345);
    for (const auto& [name, quantity] : size["quantities"].items()) {
      const double distance = ks_distance(samples.at(name), quantity);
      EXPECT_LT(distance, kKsCritical) << width << "x" << height << " " << name;
      const double mean = std::accumulate(samples.at(name).begin(), samples.at(name).end(), 0.0) / draws;
      std::printf("[ figures  ] %dx%d %-13s KS D = %.5f, mean %.5f (torchvision %.5f)\n", width, height, name.c_str(),
                  distance, mean, quantity["mean"].get<double>());
    }
  }
}

// The same statistic rejects a crop distribution that is only slightly off: the test has power.
TEST(RandomResizedCrop, DistributionTestRejectsAWrongScale) {
  const nlohmann::json reference = load_reference();
  const auto& size = reference["sizes"][0];
  RandomResizedCropOptions wrong;
  wrong.scale_min = 0.1;
  const Samples samples = draw_crops(size["width"].get<int>(), size["height"].get<int>(), wrong, 100000, 12345);
  EXPECT_GT(ks_distance(samples.at("area_fraction"), size["quantities"]["area_fraction"]), kKsCritical);
}

TEST(RandomResizedCrop, FallbackIsTheClampedCentreCrop) {
  SampleRandom random(1);
  // Too thin for any try to fit: width 2 → height round(2 / (3/4)) = 3, centred.
  const PixelRect tall = random_resized_crop_params(2, 3000, {}, random);
  EXPECT_EQ(tall.width, 2);
  EXPECT_EQ(tall.height, 3);
  EXPECT_EQ(tall.y, (3000 - 3) / 2);
  const PixelRect wide = random_resized_crop_params(3000, 2, {}, random);
  EXPECT_EQ(wide.height, 2);
  EXPECT_EQ(wide.width, 3);  // round(2 · 4/3) = round(2.67)
  EXPECT_EQ(wide.x, (3000 - 3) / 2);
  const PixelRect single = random_resized_crop_params(1, 1, {}, random);
  EXPECT_EQ(single.width, 1);
  EXPECT_EQ(single.height, 1);
}

TEST(RandomResizedCrop, CropsStayInsideTheImage) {
  SampleRandom random(2);
  for (int trial = 0; trial < 20000; ++trial) {
    const int width = 1 + static_cast<int>(random.integer_inclusive(0, 999));
    const int height = 1 + static_cast<int>(random.integer_inclusive(0, 999));
    const PixelRect crop = random_resized_crop_params(width, height, {}, random);
    ASSERT_GE(crop.x, 0);
    ASSERT_GE(crop.y, 0);
    ASSERT_GT(crop.width, 0);
    ASSERT_GT(crop.height, 0);
    ASSERT_LE(crop.x + crop.width, width);
    ASSERT_LE(crop.y + crop.height, height);
  }
}

TEST(ResizeCenterCrop, MatchesTorchvisionArithmetic) {
  // torchvision: Resize(256) of 500×375 → 341×256 (int(256·500/375) = 341); CenterCrop(224) left =
  // int(round((341 − 224) / 2.0)) = round(58.5) = 58 (half to even), top = 16.
  const ResizeCenterCrop landscape = resize_center_crop_geometry(500, 375, 256, 224);
  EXPECT_EQ(landscape.resized_width, 341);
  EXPECT_EQ(landscape.resized_height, 256);
  EXPECT_EQ(landscape.crop.x, 58);
  EXPECT_EQ(landscape.crop.y, 16);
  const ResizeCenterCrop portrait = resize_center_crop_geometry(375, 500, 256, 224);
  EXPECT_EQ(portrait.resized_width, 256);
  EXPECT_EQ(portrait.resized_height, 341);
  EXPECT_EQ(portrait.crop.y, 58);
  const ResizeCenterCrop odd = resize_center_crop_geometry(333, 500, 256, 224);  // 256·500/333 = 384.38
  EXPECT_EQ(odd.resized_height, 384);
  EXPECT_EQ(odd.crop.y, 80);
}

TEST(SampleRandom, IsDeterministicAndInRange) {
  SampleRandom first(99), second(99), other(100);
  for (int draw = 0; draw < 100; ++draw) EXPECT_EQ(first.next_u64(), second.next_u64());
  EXPECT_NE(SampleRandom(99).next_u64(), other.next_u64());
  SampleRandom random(7);
  std::vector<int> counts(5, 0);
  double sum = 0.0;
  for (int draw = 0; draw < 50000; ++draw) {
    const std::int64_t value = random.integer_inclusive(3, 7);
    ASSERT_GE(value, 3);
    ASSERT_LE(value, 7);
    ++counts[static_cast<std::size_t>(value - 3)];
    const double unit = random.uniform(0.0, 1.0);
    ASSERT_GE(unit, 0.0);
    ASSERT_LT(unit, 1.0);
    sum += unit;
  }
  // 10 000 expected per value; 5σ of a binomial(50000, 0.2) is 447.
  for (const int count : counts) EXPECT_NEAR(count, 10000, 447);
  EXPECT_NEAR(sum / 50000, 0.5, 0.0065);  // 5σ of the mean of 50 000 uniforms (σ = 0.2887/√50000)
}

}  // namespace
}  // namespace genint::io
