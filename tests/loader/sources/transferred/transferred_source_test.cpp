// The transferred source driven directly: each sample is its content (the natural pipeline's uint8 image of the
// item its position names) stylized by AdaIN with its group's style and its α, cropped back and quantized, in both
// layouts; records; one style per group of contents_per_style; style classes independent of content classes (χ²).
#include "loader/sources/transferred/transferred_source.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <set>

#include "gan/biggan/biggan_generator.h"
#include "gan/images/generated_image.h"
#include "io/natural/natural_pipeline.h"
#include "loader/support/jpeg_tree.h"
#include "nn/models/adain_network.h"
#include "nn/ops/normalize_images.h"
#include "tests/loader/sources/transferred/transferred_test_support.h"

namespace genint::loader {
namespace {

using testing::JpegTree;
constexpr int kSize = 16;

// [1, 3, h, w] in [0, 1] from uint8 HWC.
Tensor unit_tensor(const std::vector<std::uint8_t>& bytes, int height, int width) {
  Tensor tensor = Tensor::empty(Shape{1, 3, height, width}, DType::Float32, Device::Cpu);
  const auto plane = static_cast<std::size_t>(height) * static_cast<std::size_t>(width);
  for (std::size_t pixel = 0; pixel < plane; ++pixel)
    for (std::size_t channel = 0; channel < 3; ++channel)
      tensor.data<float>()[channel * plane + pixel] = static_cast<float>(bytes[pixel * 3 + channel]) / 255.0f;
  return tensor;
}

// The generated style of `seed`, made here with gan's own generator and sampler, quantized like a PNG.
Tensor generated_style(const TransferredSource& source, BigGanGenerator& generator, std::uint64_t seed,
                       genint::InterventionRecord& record) {
  const StyleSpecification& style = source.style();
  const InterventionSampler sampler(style.weights->config, style.directions ? &*style.directions : nullptr,
                                    style.intervention.intervention);
  InterventionBatch batch;
  sampler.reserve(1, batch);
  sampler.sample(&seed, nullptr, 1, batch);
  const int resolution = generator.resolution();
  std::vector<float> image(3 * static_cast<std::size_t>(resolution * resolution));
  EXPECT_TRUE(generator.forward(1, generator_inputs(batch), image.data()));
  Tensor tensor = Tensor::empty(Shape{1, 3, resolution, resolution}, DType::Float32, Device::Cpu);
  for (std::size_t index = 0; index < image.size(); ++index)
    tensor.data<float>()[index] = static_cast<float>(quantize_generated_value(image[index])) / 255.0f;
  record = batch.records[0];
  return tensor;
}

// What the source must write for `request` (uint8 HWC): content · style through AdaIN, top-left crop, ·255 rounded.
std::vector<std::uint8_t> expected_sample(const TransferredSource& source, const SampleRequest& request,
                                          const Tensor& style_image, float alpha) {
  io::NaturalPipelineConfig pipeline = source.content().pipeline();
  pipeline.layout = io::OutputLayout::Uint8HWC;
  io::NaturalSampleMaker maker(pipeline);
  const int size = pipeline.output_size;
  const auto side = static_cast<std::size_t>(size);
  std::vector<std::uint8_t> content(side * side * 3);
  const std::uint64_t item = source.content().order().item(request.epoch, request.position);
  const io::SampleResult result =
      maker.make_from_file(source.content().index().full_path(item), request.seed, content.data());
  EXPECT_TRUE(io::decode_outcome_has_pixels(result.outcome));
  AdaINNetwork network(testing::kNarrowAdaIN);
  const AdaINStyleStatistics statistics = network.style_statistics(style_image);
  const Tensor stylized = network.stylize(unit_tensor(content, size, size), statistics, alpha);
  EXPECT_EQ(stylized.size(2), (size + 7) / 8 * 8);  // 8·ceil(size/8): 16 → 16, 20 → 24 (cropped back)
  std::vector<std::uint8_t> expected(content.size());
  const auto height = static_cast<std::size_t>(stylized.size(2)), width = static_cast<std::size_t>(stylized.size(3));
  for (std::size_t y = 0; y < side; ++y)
    for (std::size_t x = 0; x < side; ++x)
      for (std::size_t channel = 0; channel < 3; ++channel)
        expected[(y * side + x) * 3 + channel] = static_cast<std::uint8_t>(
            std::nearbyint(stylized.data<float>()[(channel * height + y) * width + x] * 255.0f));
  return expected;
}

TEST(TransferredSource, SamplesAreTheirContentsStylizedWithTheirGroupsGeneratedStyle) {
  const JpegTree tree(3, 4, false);
  const auto source = testing::make_source(testing::transferred_keys(tree.root()), kSize, SampleLayout::Uint8Hwc);
  const auto& transferred = dynamic_cast<const TransferredSource&>(*source);
  const std::size_t bytes = kSize * kSize * 3;
  const testing::Produced produced = testing::produce(*source, bytes, 4, 2);
  ASSERT_EQ(produced.delivered, 4u);
  std::set<std::uint64_t> style_seeds;
  BigGanGenerator generator(BigGanWeights(*transferred.style().weights));
  for (std::size_t index = 0; index < 4; ++index) {
    const SampleRequest& request = produced.requests[index];
    const SampleRecord& record = produced.records[index];
    const std::uint64_t item = transferred.content().order().item(0, index);
    EXPECT_EQ(record.item, static_cast<std::int64_t>(item));
    EXPECT_EQ(record.label, transferred.content().index().label(item));
    const std::uint64_t style_seed = style_seed_of(request, transferred.settings());
    style_seeds.insert(style_seed);
    genint::InterventionRecord expected_record;
    const Tensor style = generated_style(transferred, generator, style_seed, expected_record);
    EXPECT_EQ(record.intervention.latent_seed, style_seed);
    EXPECT_EQ(record.intervention.class_index, expected_record.class_index);
    EXPECT_EQ(record.intervention.direction, expected_record.direction);
    EXPECT_EQ(record.intervention.step, expected_record.step);
    EXPECT_FLOAT_EQ(record.intervention.truncation, 0.7f);
    EXPECT_EQ(record.intervention.space, 1);  // latent
    EXPECT_EQ(record.transfer_alpha, alpha_of(request, transferred.settings()));
    EXPECT_GE(record.transfer_alpha, 0.25f);
    EXPECT_LE(record.transfer_alpha, 0.9f);
    const std::vector<std::uint8_t> expected = expected_sample(transferred, request, style, record.transfer_alpha);
    EXPECT_EQ(std::memcmp(produced.pixels.data() + index * bytes, expected.data(), bytes), 0) << index;
  }
  EXPECT_EQ(style_seeds.size(), 4u);  // contents_per_style 1: a style each
  EXPECT_EQ(transferred.styles_computed(), 4u);
}

TEST(TransferredSource, OutputsAreCroppedBackAndFloatOnesAreTheUint8OnesNormalizedLikeNaturalImages) {
  const JpegTree tree(2, 4, false);
  // 20 is not a multiple of 8: AdaIN returns 24 × 24, cropped back to the content's 20 × 20.
  const auto bytes_source = testing::make_source(testing::transferred_keys(tree.root()), 20, SampleLayout::Uint8Hwc);
  const auto float_source = testing::make_source(testing::transferred_keys(tree.root()), 20, SampleLayout::Float32Chw);
  const std::size_t values = 20 * 20 * 3;
  const testing::Produced bytes = testing::produce(*bytes_source, values, 3, 3);
  const testing::Produced floats = testing::produce(*float_source, values * sizeof(float), 3, 3);
  ASSERT_EQ(bytes.delivered, 3u);
  ASSERT_EQ(floats.delivered, 3u);
  const auto& transferred = dynamic_cast<const TransferredSource&>(*bytes_source);
  const ImageNormalization normalization =
      dynamic_cast<const TransferredSource&>(*float_source).content().pipeline().normalization;
  BigGanGenerator generator(BigGanWeights(*transferred.style().weights));
  std::vector<float> expected(values);
  for (std::size_t index = 0; index < 3; ++index) {
    genint::InterventionRecord style_record;
    const Tensor style =
        generated_style(transferred, generator, bytes.records[index].intervention.latent_seed, style_record);
    const std::vector<std::uint8_t> expected_bytes =
        expected_sample(transferred, bytes.requests[index], style, bytes.records[index].transfer_alpha);
    EXPECT_EQ(std::memcmp(bytes.pixels.data() + index * values, expected_bytes.data(), values), 0) << index;
    normalize_images_cpu(bytes.pixels.data() + index * values, 1, 20, 20, normalization, expected.data());
    EXPECT_EQ(
        std::memcmp(floats.pixels.data() + index * values * sizeof(float), expected.data(), values * sizeof(float)), 0)
        << index;
    EXPECT_EQ(std::memcmp(&bytes.records[index], &floats.records[index], sizeof(SampleRecord)), 0) << index;
  }
}

TEST(TransferredSource, ContentsPerStyleShareOneStyleComputedOnce) {
  const JpegTree tree(2, 6, false);
  const auto source = testing::make_source(testing::transferred_keys(tree.root(), {{"contents_per_style", 3}}), kSize,
                                           SampleLayout::Uint8Hwc);
  const auto& transferred = dynamic_cast<const TransferredSource&>(*source);
  ASSERT_EQ(source->chunk_size(), 3u);
  const testing::Produced produced = testing::produce(*source, kSize * kSize * 3, 9, 3);
  ASSERT_EQ(produced.delivered, 9u);
  EXPECT_EQ(transferred.styles_computed(), 3u);
  for (std::size_t index = 0; index < 9; ++index) {
    const InterventionRecord& first = produced.records[index / 3 * 3].intervention;
    EXPECT_EQ(std::memcmp(&produced.records[index].intervention, &first, sizeof(InterventionRecord)), 0) << index;
    if (index % 3 == 0 && index > 0) {
      EXPECT_NE(first.latent_seed, produced.records[index - 3].intervention.latent_seed);
    }
  }
  // Two alphas in a group differ (each sample draws its own), while the style is shared.
  EXPECT_NE(produced.records[0].transfer_alpha, produced.records[1].transfer_alpha);
}

TEST(TransferredSource, NaturalStylesComeFromTheStyleFolderWithNoInterventionRecord) {
  const JpegTree contents(2, 4, false);
  const JpegTree styles(3, 3, false);
  const auto source = testing::make_source({{"root", contents.root()},
                                            {"network", testing::kNarrowAdaIN},
                                            {"style", "natural"},
                                            {"style_root", styles.root()},
                                            {"alpha", 1.0}},
                                           kSize, SampleLayout::Uint8Hwc);
  const auto& transferred = dynamic_cast<const TransferredSource&>(*source);
  ASSERT_EQ(transferred.natural_style_index().size(), 9u);
  const std::size_t bytes = kSize * kSize * 3;
  const testing::Produced produced = testing::produce(*source, bytes, 3, 3);
  ASSERT_EQ(produced.delivered, 3u);
  io::NaturalSampleMaker style_maker(transferred.style().pipeline);
  for (std::size_t index = 0; index < 3; ++index) {
    const InterventionRecord& record = produced.records[index].intervention;
    EXPECT_EQ(record.class_index, -1);
    EXPECT_EQ(record.direction, -1);
    EXPECT_EQ(produced.records[index].transfer_alpha, 1.0f);
    ASSERT_LT(record.latent_seed, 9u);  // the style image's index in style_root
    std::vector<std::uint8_t> style_bytes(bytes);
    const std::string path = transferred.natural_style_index().full_path(record.latent_seed);
    ASSERT_TRUE(io::decode_outcome_has_pixels(style_maker.make_from_file(path, 0, style_bytes.data()).outcome));
    const std::vector<std::uint8_t> expected =
        expected_sample(transferred, produced.requests[index], unit_tensor(style_bytes, kSize, kSize), 1.0f);
    EXPECT_EQ(std::memcmp(produced.pixels.data() + index * bytes, expected.data(), bytes), 0) << index;
  }
}

// χ² statistic of a contingency table against independence of its rows and columns.
double independence_chi_square(const std::vector<std::vector<double>>& table) {
  std::vector<double> rows(table.size(), 0.0), columns(table[0].size(), 0.0);
  double total = 0.0;
  for (std::size_t row = 0; row < table.size(); ++row)
    for (std::size_t column = 0; column < table[row].size(); ++column) {
      rows[row] += table[row][column];
      columns[column] += table[row][column];
      total += table[row][column];
    }
  double chi_square = 0.0;
  for (std::size_t row = 0; row < table.size(); ++row)
    for (std::size_t column = 0; column < columns.size(); ++column) {
      const double expected = rows[row] * columns[column] / total;
      chi_square += (table[row][column] - expected) * (table[row][column] - expected) / expected;
    }
  return chi_square;
}

// The style drawing itself over 6000 samples, 2000 groups with contents_per_style 3 (running AdaIN that often would
// cost minutes under the sanitizers): the
// style class of each sample (the class its style seed draws, which the end-to-end tests check the records carry)
// against its content's class. The loader tests check the records end to end on fewer samples.
TEST(TransferredSource, StyleClassesAreUniformAndIndependentOfContentClasses) {
  const JpegTree tree(4, 5, false);
  for (const int contents_per_style : {1, 3}) {
    const auto source =
        testing::make_source(testing::transferred_keys(tree.root(), {{"contents_per_style", contents_per_style}}),
                             kSize, SampleLayout::Uint8Hwc);
    const auto& transferred = dynamic_cast<const TransferredSource&>(*source);
    const StyleSpecification& style = transferred.style();
    const InterventionSampler sampler(style.weights->config, &*style.directions, style.intervention.intervention);
    // With shared styles, the first content of each group stands for it: the 2000 groups' draws are independent,
    // the three samples of one group are not (they share a style class).
    const auto step = static_cast<std::uint64_t>(contents_per_style);
    const std::uint64_t samples = 6000 / step;
    std::vector<std::vector<double>> table(4, std::vector<double>(testing::kDemoClasses, 0.0));
    std::vector<double> style_classes(testing::kDemoClasses, 0.0);
    for (std::uint64_t index = 0; index < samples * step; index += step) {
      SampleRequest request = testing::request_at(5, index, nullptr, nullptr);
      request.epoch = index / 20;  // 20 contents: each epoch is one permutation of them
      const std::uint64_t item = transferred.content().order().item(request.epoch, index % 20);
      const int content_class = transferred.content().index().label(item);
      const int style_class = sampler.draw(style_seed_of(request, transferred.settings())).class_index;
      table[static_cast<std::size_t>(content_class)][static_cast<std::size_t>(style_class)] += 1.0;
      style_classes[static_cast<std::size_t>(style_class)] += 1.0;
    }
    // p = 0.001 critical values: χ²(27) = 55.48 for the 4 × 10 table, χ²(9) = 27.88 for the uniform margin.
    EXPECT_LT(independence_chi_square(table), 55.48) << contents_per_style;
    double uniform = 0.0;
    const double expected = static_cast<double>(samples) / testing::kDemoClasses;
    for (const double count : style_classes) uniform += (count - expected) * (count - expected) / expected;
    EXPECT_LT(uniform, 27.88) << contents_per_style;
  }
}

}  // namespace
}  // namespace genint::loader
