// The intervention source alone on the tiny golden BigGAN: records regenerate from the seed, pixels equal the
// generator's own output quantized, float samples are the natural path's normalization of the uint8 ones.
#include "loader/sources/intervention/intervention_source.h"

#include <gtest/gtest.h>

#include <atomic>
#include <set>

#include "gan/biggan/biggan_generator.h"
#include "intervention_source_test_support.h"
#include "loader/sources/source_statistics.h"
#include "nn/ops/normalize_images.h"
#include "tests/gan/interventions/intervention_test_support.h"

namespace genint {
namespace {

using testing::DirectionsFolder;
using testing::intervention_keys;
using testing::make_source;
using testing::produce;
using testing::Produced;

// Seeds 1000 + i at stream positions i (the records test regenerates from exactly these).
constexpr std::uint64_t kFirstSeed = 1000;

TEST(InterventionSource, IsAnEndlessChunkedInterventionStream) {
  const DirectionsFolder folder;
  const auto source = make_source(intervention_keys(folder), 32, loader::SampleLayout::Uint8Hwc);
  EXPECT_EQ(source->kind(), loader::SourceKind::Intervention);
  EXPECT_EQ(source->epoch_length(), 0u);
  EXPECT_EQ(source->chunk_size(), 3u);
}

// At the generator's own resolution there is no resize: every byte must be round((x + 1)·127.5) of the
// forward run here independently from the sampler's records, and the records must be the sampler's draws.
TEST(InterventionSource, PixelsAreTheGeneratorsImagesQuantizedAndRecordsRegenerate) {
  const DirectionsFolder folder;
  const auto source = make_source(intervention_keys(folder), 32, loader::SampleLayout::Uint8Hwc);
  const std::size_t sample_bytes = 32 * 32 * 3;
  const Produced produced = produce(*source, sample_bytes, 6, 3, kFirstSeed);
  ASSERT_EQ(produced.delivered, 6u);

  const DirectionSet directions = DirectionSet::read(folder.directions_path());
  BigGanGenerator generator = BigGanGenerator::load(testing::kTinyGenerator);
  InterventionOptions options;
  options.space = InterventionSpace::Latent;
  options.truncation = 0.5;
  options.top_k = 6;
  options.step_range = 2.0;
  const InterventionSampler sampler(generator.config(), &directions, options);
  InterventionBatch batch;
  const std::vector<std::uint64_t> seeds = {1000, 1001, 1002, 1003, 1004, 1005};
  std::vector<float> images(3 * 32 * 32 * 3);
  for (std::size_t chunk = 0; chunk < 2; ++chunk) {
    sampler.sample(seeds.data() + chunk * 3, nullptr, 3, batch);
    generator.forward(3, generator_inputs(batch), images.data());
    for (std::size_t row = 0; row < 3; ++row) {
      const std::size_t sample = chunk * 3 + row;
      const loader::SampleRecord& record = produced.records[sample];
      const InterventionRecord& expected = batch.records[row];
      EXPECT_EQ(record.label, expected.class_index);  // identity label map
      EXPECT_EQ(record.item, static_cast<std::int64_t>(sample));
      EXPECT_EQ(record.intervention.class_index, expected.class_index);
      EXPECT_EQ(record.intervention.latent_seed, seeds[sample]);
      EXPECT_FLOAT_EQ(record.intervention.truncation, 0.5f);
      EXPECT_EQ(record.intervention.space, static_cast<std::int32_t>(InterventionSpace::Latent));
      EXPECT_EQ(record.intervention.layer_begin, 0);
      EXPECT_EQ(record.intervention.layer_end, generator.config().latent_count());
      EXPECT_EQ(record.intervention.direction, expected.direction);
      EXPECT_FLOAT_EQ(record.intervention.step, expected.step);
      EXPECT_GE(record.intervention.direction, 0);
      EXPECT_LT(record.intervention.direction, 6);
      EXPECT_LE(std::abs(record.intervention.step), 2.0f);
      const float* image = images.data() + row * 3 * 32 * 32;
      const std::uint8_t* pixels = produced.pixels.data() + sample * sample_bytes;
      for (std::size_t pixel = 0; pixel < 32 * 32; ++pixel)
        for (std::size_t channel = 0; channel < 3; ++channel)
          ASSERT_EQ(pixels[pixel * 3 + channel], quantize_generated_value(image[channel * 32 * 32 + pixel]))
              << "sample " << sample << " pixel " << pixel << " channel " << channel;
    }
  }
}

TEST(InterventionSource, SameSeedsGiveTheSameSamplesInAnyProducer) {
  const DirectionsFolder folder;
  const auto source = make_source(intervention_keys(folder), 24, loader::SampleLayout::Uint8Hwc);
  const Produced first = produce(*source, 24 * 24 * 3, 6, 3, kFirstSeed);
  const Produced second = produce(*source, 24 * 24 * 3, 6, 3, kFirstSeed);
  EXPECT_EQ(first.pixels, second.pixels);
  for (std::size_t sample = 0; sample < 6; ++sample) {
    EXPECT_EQ(first.records[sample].intervention.latent_seed, second.records[sample].intervention.latent_seed);
    EXPECT_EQ(first.records[sample].intervention.direction, second.records[sample].intervention.direction);
  }
  // Different seeds make different images (a constant or seed-blind source would fail here).
  EXPECT_NE(std::vector<std::uint8_t>(first.pixels.begin(), first.pixels.begin() + 24 * 24 * 3),
            std::vector<std::uint8_t>(first.pixels.begin() + 24 * 24 * 3, first.pixels.begin() + 2 * 24 * 24 * 3));
}

// Float samples must be exactly what the natural path makes of a uint8 image: normalize_images of the bytes.
TEST(InterventionSource, FloatLayoutIsTheNaturalNormalizationOfTheUint8Sample) {
  const DirectionsFolder folder;
  for (const int size : {24, 48}) {  // shrinking (area) and enlarging (bilinear)
    const auto bytes_source = make_source(intervention_keys(folder), size, loader::SampleLayout::Uint8Hwc);
    const auto float_source = make_source(intervention_keys(folder), size, loader::SampleLayout::Float32Chw);
    const auto values = static_cast<std::size_t>(size * size * 3);
    const Produced bytes = produce(*bytes_source, values, 3, 3, kFirstSeed);
    const Produced floats = produce(*float_source, values * sizeof(float), 3, 3, kFirstSeed);
    ASSERT_EQ(floats.delivered, 3u);
    std::vector<float> expected(values * 3);
    normalize_images_cpu(bytes.pixels.data(), 3, size, size, ImageNormalization{}, expected.data());
    std::vector<float> actual(values * 3);
    std::memcpy(actual.data(), floats.pixels.data(), actual.size() * sizeof(float));
    EXPECT_EQ(actual, expected) << "size " << size;
    std::set<std::uint8_t> distinct(bytes.pixels.begin(), bytes.pixels.end());
    EXPECT_GT(distinct.size(), 20u) << "a real image spans many levels";
  }
}

TEST(InterventionSource, EverySpaceDeliversAndRecordsItself) {
  const DirectionsFolder folder;
  const std::vector<std::pair<std::string, InterventionSpace>> spaces = {
      {"observational", InterventionSpace::Observational},
      {"latent", InterventionSpace::Latent},
      {"latent_centred", InterventionSpace::LatentCentred},
      {"activation", InterventionSpace::Activation},
      {"activation_centred", InterventionSpace::ActivationCentred}};
  std::set<std::vector<std::uint8_t>> images;
  for (const auto& [name, space] : spaces) {
    const auto source = make_source(intervention_keys(folder, name), 32, loader::SampleLayout::Uint8Hwc);
    const Produced produced = produce(*source, 32 * 32 * 3, 2, 2, kFirstSeed);
    ASSERT_EQ(produced.delivered, 2u) << name;
    for (const auto& record : produced.records) {
      EXPECT_EQ(record.intervention.space, static_cast<std::int32_t>(space)) << name;
      EXPECT_EQ(record.intervention.direction >= 0, space != InterventionSpace::Observational) << name;
    }
    images.insert(std::vector<std::uint8_t>(produced.pixels.begin(), produced.pixels.begin() + 32 * 32 * 3));
  }
  // Same seed and class in every space: each edit must change the image (observational is the unedited one).
  EXPECT_EQ(images.size(), spaces.size());
}

TEST(InterventionSource, ClassesAndLabelMapDecideClassAndLabel) {
  const DirectionsFolder folder;
  nlohmann::json keys = intervention_keys(folder);
  keys["label_map"] = {{"2", 0}, {"5", 1}};
  const auto source = make_source(keys, 16, loader::SampleLayout::Uint8Hwc);
  const Produced produced = produce(*source, 16 * 16 * 3, 12, 3, kFirstSeed);
  std::set<int> classes;
  for (const auto& record : produced.records) {
    classes.insert(record.intervention.class_index);
    EXPECT_EQ(record.label, record.intervention.class_index == 2 ? 0 : 1);
  }
  EXPECT_EQ(classes, (std::set<int>{2, 5}));
}

TEST(InterventionSource, AStoppingLoaderGetsNoForwardPass) {
  const DirectionsFolder folder;
  const auto source = make_source(intervention_keys(folder), 16, loader::SampleLayout::Uint8Hwc);
  loader::SourceStatistics statistics;
  std::atomic<bool> stop{true};
  const auto producer = source->make_producer(0, loader::ProducerContext{&statistics, &stop});
  std::vector<std::uint8_t> pixels(16 * 16 * 3);
  loader::SampleRecord record;
  loader::SampleRequest request;
  request.pixels = pixels.data();
  request.record = &record;
  producer->produce(&request, 1);
  EXPECT_FALSE(request.delivered);
  EXPECT_EQ(record.intervention.class_index, -1);
}

}  // namespace
}  // namespace genint
