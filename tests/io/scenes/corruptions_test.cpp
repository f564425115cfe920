// Each corruption against a property of its definition: noise grows with severity, blurs remove
// high-frequency energy, contrast shrinks the spread, brightness lifts the mean, pixelate and JPEG lose
// fidelity; plus the shot-noise tables against the walk they replace, determinism, names and argument checks.
#include "io/scenes/corruptions.h"

#include <gtest/gtest.h>

#include <cmath>
#include <opencv2/imgproc.hpp>

#include "io/scenes/scene_renderer.h"
#include "nn/core/error.h"

namespace genint::io::scenes {
namespace {

// A mid-grey image with a soft checker and a fine stripe pattern: room for noise both ways, and real
// high-frequency content for the blurs to remove.
cv::Mat test_image(int size) {
  cv::Mat image(size, size, CV_8UC3);
  for (int row = 0; row < size; ++row)
    for (int column = 0; column < size; ++column) {
      const double checker = ((row / 8 + column / 8) % 2) ? 40.0 : -40.0;
      const double stripes = (column % 2) ? 25.0 : -25.0;
      image.at<cv::Vec3b>(row, column) =
          cv::Vec3b(cv::saturate_cast<std::uint8_t>(128 + checker + stripes),
                    cv::saturate_cast<std::uint8_t>(110 + checker), cv::saturate_cast<std::uint8_t>(150 - stripes));
    }
  return image;
}

// A real fashion-scenes image (checker background, a synthetic garment): what the corruptions will meet.
cv::Mat scene_image(int size) {
  std::vector<std::uint8_t> item(28 * 28, 0);
  for (int row = 4; row < 24; ++row)
    for (int column = 8; column < 20; ++column) item[static_cast<std::size_t>(row * 28 + column)] = 200;
  Nuisances nuisances;
  nuisances.hue = 200;
  nuisances.texture = TextureKind::Checker;
  nuisances.texture_frequency = 4;
  nuisances.angle = 20;
  nuisances.scale = 0.8;
  nuisances.center_x = nuisances.center_y = 0.5;
  SceneRenderer renderer(size);
  SampleRandom random(3);
  cv::Mat image;
  renderer.render(item.data(), 28, 28, nuisances, random, image);
  return image;
}

cv::Mat corrupt(Corruption corruption, int severity, const cv::Mat& clean, std::uint64_t seed = 1) {
  CorruptionEngine engine(clean.rows);
  SampleRandom random(seed);
  SampledCorruptionNoise noise(random);
  cv::Mat corrupted;
  engine.apply(corruption, severity, clean, noise, corrupted);
  return corrupted;
}

double difference_std(const cv::Mat& left, const cv::Mat& right) {
  cv::Mat difference;
  cv::subtract(left, right, difference, cv::noArray(), CV_32F);
  cv::Scalar mean, deviation;
  cv::meanStdDev(difference.reshape(1), mean, deviation);
  return deviation[0];
}

// Mean squared Laplacian: the energy at the highest frequencies.
double high_frequency_energy(const cv::Mat& image) {
  cv::Mat grey, laplacian;
  cv::cvtColor(image, grey, cv::COLOR_RGB2GRAY);
  cv::Laplacian(grey, laplacian, CV_32F);
  return cv::mean(laplacian.mul(laplacian))[0];
}

double pixel_std(const cv::Mat& image) {
  cv::Scalar mean, deviation;
  cv::meanStdDev(image.reshape(1), mean, deviation);
  return deviation[0];
}

TEST(Corruptions, NoiseGrowsWithSeverity) {
  const cv::Mat clean = test_image(64);
  for (const Corruption corruption : {Corruption::GaussianNoise, Corruption::ShotNoise, Corruption::ImpulseNoise}) {
    double previous = 0;
    for (int severity = 1; severity <= 5; ++severity) {
      const double noise = difference_std(corrupt(corruption, severity, clean), clean);
      EXPECT_GT(noise, previous) << corruption_name(corruption) << " severity " << severity;
      previous = noise;
    }
  }
  // Gaussian noise of sigma 0.04 on values far from 0 and 255 has a std of 0.04 * 255 = 10.2 grey levels
  // (plus rounding); 12288 samples put the estimate within about 1 %.
  EXPECT_NEAR(difference_std(corrupt(Corruption::GaussianNoise, 1, clean), clean), 10.2, 0.5);
}

TEST(Corruptions, BlursRemoveHighFrequencyEnergy) {
  for (const cv::Mat& clean : {test_image(64), scene_image(64)}) {
    const double clean_energy = high_frequency_energy(clean);
    for (const Corruption corruption : {Corruption::DefocusBlur, Corruption::MotionBlur, Corruption::ZoomBlur}) {
      const double mild = high_frequency_energy(corrupt(corruption, 1, clean));
      const double severe = high_frequency_energy(corrupt(corruption, 5, clean));
      EXPECT_LT(mild, clean_energy) << corruption_name(corruption);
      EXPECT_LT(severe, mild) << corruption_name(corruption);
    }
    // Glass blur's local shuffle adds pixel-level detail at severity 1 (sigma 0.1 barely blurs); its severe
    // setting (sigma 0.9 twice, 2-pixel shuffles) still ends smoother than the clean image.
    EXPECT_LT(high_frequency_energy(corrupt(Corruption::GlassBlur, 5, clean)), clean_energy);
  }
}

TEST(Corruptions, DigitalAndWeatherCorruptionsFollowTheirDefinitions) {
  const cv::Mat clean = test_image(64);
  double previous_std = pixel_std(clean), previous_mean = cv::mean(clean)[0];
  for (int severity = 1; severity <= 5; ++severity) {
    const double spread = pixel_std(corrupt(Corruption::Contrast, severity, clean));
    EXPECT_LT(spread, previous_std) << "contrast severity " << severity;
    previous_std = spread;
    const double mean = cv::mean(corrupt(Corruption::Brightness, severity, clean))[0];
    EXPECT_GT(mean, previous_mean) << "brightness severity " << severity;
    previous_mean = mean;
  }
  // Contrast keeps each channel's mean: (x - m) * c + m (rounding moves it by well under a grey level).
  EXPECT_NEAR(cv::mean(corrupt(Corruption::Contrast, 5, clean))[1], cv::mean(clean)[1], 0.5);
  // JPEG loses fidelity with severity (quality 65 down to 25), on a scene image.
  const cv::Mat scene = scene_image(64);
  const double mild_psnr = cv::PSNR(corrupt(Corruption::JpegCompression, 1, scene), scene);
  const double severe_psnr = cv::PSNR(corrupt(Corruption::JpegCompression, 5, scene), scene);
  EXPECT_GT(mild_psnr, severe_psnr);
  EXPECT_LT(mild_psnr, 100.0) << "jpeg_compression changed nothing";
  // Pixelate leaves an image made of factor * 64 distinct columns (and rows) of blocks. PSNR is no measure
  // here: a non-integer ratio (57 -> 64) shifts edges by up to half a pixel, costing more than the 2x blocks.
  const int expected_blocks[] = {57, 51, 44, 38, 32};
  for (int severity = 1; severity <= 5; ++severity) {
    const cv::Mat pixelated = corrupt(Corruption::Pixelate, severity, scene);
    int column_changes = 0;
    for (int column = 1; column < 64; ++column)
      column_changes += cv::norm(pixelated.col(column), pixelated.col(column - 1), cv::NORM_INF) > 0 ? 1 : 0;
    EXPECT_LE(column_changes + 1, expected_blocks[severity - 1]) << "pixelate severity " << severity;
    EXPECT_GE(column_changes + 1, expected_blocks[severity - 1] / 2) << "pixelate severity " << severity;
  }
}

TEST(Corruptions, SameSeedSameImageOtherSeedOtherNoise) {
  const cv::Mat clean = test_image(32);  // also exercises the scaling of spatial sizes to 32 pixels
  for (const Corruption corruption : all_corruptions()) {
    const cv::Mat first = corrupt(corruption, 3, clean, 5);
    const cv::Mat again = corrupt(corruption, 3, clean, 5);
    ASSERT_EQ(first.size(), clean.size());
    ASSERT_EQ(first.type(), CV_8UC3);
    EXPECT_EQ(cv::norm(first, again, cv::NORM_INF), 0.0) << corruption_name(corruption);
  }
  EXPECT_GT(cv::norm(corrupt(Corruption::GaussianNoise, 3, clean, 5), corrupt(Corruption::GaussianNoise, 3, clean, 6),
                     cv::NORM_INF),
            0.0);
}

TEST(Corruptions, PoissonTablesGiveTheCountsOfTheWalk) {
  PoissonInverter inverter;
  SampleRandom random(9);
  for (const double photons : {250.0, 30.0, 15.0}) {
    inverter.prepare(photons);
    for (int value = 0; value < 256; ++value) {
      std::vector<double> uniforms = {0.0, 0.5, 0.999999, std::nextafter(1.0, 0.0)};
      for (int draw = 0; draw < 20; ++draw) uniforms.push_back(random.uniform(0.0, 1.0));
      const double mean = value / 255.0 * photons;
      for (const double uniform : uniforms)
        ASSERT_EQ(inverter.count(static_cast<std::uint8_t>(value), uniform), poisson_by_inversion(mean, uniform))
            << "photons " << photons << ", value " << value << ", uniform " << uniform;
    }
  }
  // The walk's law: mean 7.5 (value 51 at 37.5 photons), P(0) = exp(-7.5) = 0.000553.
  EXPECT_EQ(poisson_by_inversion(7.5, 0.0005), 0);
  EXPECT_EQ(poisson_by_inversion(7.5, 0.0006), 1);
}

TEST(Corruptions, NamesRoundTripAndBadArgumentsThrow) {
  EXPECT_EQ(all_corruptions().size(), 11u);
  for (const Corruption corruption : all_corruptions()) {
    EXPECT_EQ(parse_corruption(corruption_name(corruption)), corruption);
    EXPECT_FALSE(corruption_parameters(corruption, 5).empty());
  }
  try {
    parse_corruption("frost");
    ADD_FAILURE() << "frost is not implemented";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("gaussian_noise"), std::string::npos) << "the message lists known names";
  }
  const cv::Mat clean = test_image(64);
  EXPECT_THROW(corrupt(Corruption::Contrast, 0, clean), Error);
  EXPECT_THROW(corrupt(Corruption::Contrast, 6, clean), Error);
  CorruptionEngine engine(32);
  SampleRandom random(1);
  SampledCorruptionNoise noise(random);
  cv::Mat out;
  EXPECT_THROW(engine.apply(Corruption::Contrast, 1, clean, noise, out), Error);  // 64x64 into a 32 engine
}

}  // namespace
}  // namespace genint::io::scenes
