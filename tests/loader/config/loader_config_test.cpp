// Config parsing (fractions, defaults, own keys) and the source factory: a generated source registered for
// "intervention" is mixed with real JPEGs by a loader built from JSON, without touching the loader core.
#include "loader/config/loader_config.h"

#include <gtest/gtest.h>

#include "loader/pipeline/loader_builder.h"
#include "loader/sources/source_factory.h"
#include "loader/support/jpeg_tree.h"
#include "loader/support/synthetic_source.h"
#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

TEST(LoaderConfig, FractionsResolveExactlyAndDefaultsApply) {
  const LoaderConfig config = parse_loader_config_text(R"({"batch_size": 320, "sources": [
      {"kind": "natural", "fraction": 0.8, "root": "/data"},
      {"kind": "interventions", "fraction": 0.2, "weight": 0.05, "threads": 3, "truncation": 1.0}]})");
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_EQ(config.sources[0].count, 256);
  EXPECT_EQ(config.sources[1].count, 64);
  EXPECT_EQ(config.sources[1].kind, SourceKind::Intervention);
  EXPECT_FLOAT_EQ(config.sources[1].weight, 0.05f);
  EXPECT_EQ(config.sources[1].threads, 3);
  EXPECT_EQ(config.sources[0].own_settings.at("root"), "/data");
  EXPECT_EQ(config.sources[1].own_settings.size(), 1u);  // only "truncation" is left for the factory
  EXPECT_EQ(config.image_size, 224);
  EXPECT_EQ(config.layout, SampleLayout::Uint8Hwc);
  EXPECT_TRUE(config.deterministic);
  EXPECT_EQ(config.sample_bytes(), 224u * 224u * 3u);
}

TEST(LoaderConfig, CountsAndFractionsMustAddUp) {
  EXPECT_THROW(parse_loader_config_text(R"({"batch_size": 320, "sources": [
      {"kind": "natural", "fraction": 0.8}, {"kind": "intervention", "count": 60}]})"),
               ConfigError);
  EXPECT_THROW(parse_loader_config_text(R"({"sources": [{"kind": "natural", "count": 4, "fraction": 1.0}]})"),
               ConfigError);
  try {
    parse_loader_config_text(R"({"sources": [{"kind": "natural", "fraction": 0.5}]})");
    FAIL() << "a fraction without batch_size must be refused";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.field(), "sources[0].fraction");
  }
}

std::string config_with_output(const std::string& output, const std::string& root = "/data",
                               const std::string& extra = "") {
  return R"({"image": {"size": 8}, )" + extra + R"("output": )" + output +
         R"(, "sources": [{"kind": "natural", "count": 2, "root": ")" + root + R"("}]})";
}

void expect_config_error(const std::string& text, const std::string& field) {
  try {
    make_loader_pipeline(parse_loader_config_text(text));
    FAIL() << "accepted: " << text;
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.field(), field) << error.what();
  }
}

TEST(LoaderConfig, OutputDeviceFormIsValidated) {
  EXPECT_EQ(parse_loader_config_text(config_with_output(R"({})")).output_device, OutputDevice::Host);
  EXPECT_EQ(parse_loader_config_text(config_with_output(R"({"device": "cpu"})")).output_device, OutputDevice::Host);
  const LoaderConfig cuda = parse_loader_config_text(config_with_output(R"({"device": "cuda", "device_index": 3})"));
  EXPECT_EQ(cuda.output_device, OutputDevice::Cuda);
  EXPECT_EQ(cuda.output_device_index, 3);
  const struct {
    std::string output;
    std::string field;
  } cases[] = {
      {R"("cuda")", "output"},
      {R"({"device": "gpu"})", "output.device"},
      {R"({"device": 1})", "output.device"},
      {R"({"device": "cpu", "device_index": 0})", "output.device_index"},
      {R"({"device": "cuda", "device_index": -1})", "output.device_index"},
      {R"({"device": "cuda", "device_index": "0"})", "output.device_index"},
      {R"({"device": "cuda", "stream": 0})", "output.stream"},
  };
  for (const auto& bad : cases) {
    try {
      parse_loader_config_text(config_with_output(bad.output));
      FAIL() << "accepted output " << bad.output;
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.field(), bad.field) << bad.output << ": " << error.what();
    }
  }
}

std::string config_with_mixup(const std::string& mixup, int natural_count = 4) {
  return R"({"mixup": )" + mixup + R"(, "sources": [{"kind": "natural", "count": )" + std::to_string(natural_count) +
         R"(, "root": "/data"}, {"kind": "intervention", "count": 4}]})";
}

TEST(LoaderConfig, MixupTakesAPositiveAlphaAndNaturalPairs) {
  EXPECT_EQ(parse_loader_config_text(config_with_mixup(R"({"alpha": 0.4})")).mixup_alpha, 0.4);
  EXPECT_EQ(parse_loader_config_text(R"({"sources": [{"kind": "natural", "count": 2}]})").mixup_alpha, 0.0);
  const struct {
    std::string mixup;
    int natural_count;
    std::string field;
    std::string says;
  } cases[] = {
      {R"({"alpha": 0})", 4, "mixup.alpha", "must be above 0"},
      {R"({"alpha": -0.4})", 4, "mixup.alpha", "must be in"},
      {R"({"alpha": "0.4"})", 4, "mixup.alpha", "must be a number"},
      {R"({})", 4, "mixup.alpha", "is required"},
      {R"({"alpha": 0.4, "beta": 0.4})", 4, "mixup.beta", "not a known setting"},
      {R"(0.4)", 4, "mixup", "object"},
      {R"({"alpha": 0.4})", 1, "mixup", "no natural source has 2 samples"},
  };
  for (const auto& bad : cases) {
    try {
      parse_loader_config_text(config_with_mixup(bad.mixup, bad.natural_count));
      FAIL() << "accepted mixup " << bad.mixup;
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.field(), bad.field) << bad.mixup << ": " << error.what();
      EXPECT_NE(std::string(error.what()).find(bad.says), std::string::npos) << error.what();
    }
  }
}

// Whether the build and the machine can give device batches is checked when the loader is built, before any
// source: here it is refused, naming output.device, or (on a GPU machine) accepted and then index-checked.
TEST(LoaderBuilder, DeviceOutputNeedsTheCudaBackendAndADevice) {
  const testing::JpegTree tree(2, 3, false);
  const std::string cuda = R"({"device": "cuda"})";
  if (!cuda_backend_built() || cuda_device_count() == 0) {
    try {
      make_loader_pipeline(parse_loader_config_text(config_with_output(cuda, tree.root())));
      FAIL() << "a device output was accepted without a CUDA backend or device";
    } catch (const ConfigError& error) {
      EXPECT_EQ(error.field(), "output.device");
      const std::string reason = cuda_backend_built() ? "there is none" : "-DGENINT_CUDA=ON";
      EXPECT_NE(std::string(error.what()).find(reason), std::string::npos) << error.what();
    }
    return;
  }
  const std::string past_the_last = std::to_string(cuda_device_count());
  expect_config_error(config_with_output(R"({"device": "cuda", "device_index": )" + past_the_last + "}", tree.root()),
                      "output.device_index");
  expect_config_error(config_with_output(cuda, tree.root(), R"("host_memory": "pageable", )"), "host_memory");
  auto pipeline = make_loader_pipeline(parse_loader_config_text(config_with_output(cuda, tree.root())));
  EXPECT_EQ(pipeline->output_device(), 0);
  EXPECT_TRUE(pipeline->pinned_memory());
  const BatchView batch = pipeline->next_batch();
  EXPECT_EQ(batch.device.device_index, 0);
  EXPECT_NE(batch.device.images, nullptr);
  pipeline->release_batch(batch.ring_slot, batch.index);
}

TEST(SourceFactory, ARegisteredGeneratedSourceIsMixedWithNaturalImages) {
  const testing::JpegTree tree(2, 6, false);
  register_source_factory(SourceKind::Intervention, [](const LoaderConfig& config, const SourceSettings& settings) {
    testing::SyntheticSourceOptions options;
    options.kind = settings.kind;
    options.sample_bytes = config.sample_bytes();
    options.chunk = 4;
    return std::make_unique<testing::SyntheticSource>(options);
  });
  const LoaderConfig config = parse_loader_config_text(R"({"batch_size": 10, "image": {"size": 16},
      "sources": [{"kind": "natural", "fraction": 0.6, "threads": 2, "root": ")" +
                                                       tree.root() + R"("},
                  {"kind": "intervention", "fraction": 0.4, "weight": 0.05, "threads": 2}]})");
  auto pipeline = make_loader_pipeline(config);
  for (int index = 0; index < 20; ++index) {
    const BatchView batch = pipeline->next_batch();
    ASSERT_EQ(batch.size, 10);
    for (int slot = 0; slot < 10; ++slot) {
      const bool generated = slot >= 6;
      EXPECT_EQ(batch.sources[slot], static_cast<int>(generated ? SourceKind::Intervention : SourceKind::Natural));
      EXPECT_FLOAT_EQ(batch.weights[slot], generated ? 0.05f : 1.0f);
      EXPECT_EQ(batch.interventions[slot].class_index >= 0, generated);
    }
    pipeline->release_batch(batch.ring_slot, batch.index);
  }
  pipeline.reset();
  unregister_source_factory(SourceKind::Intervention);
  EXPECT_THROW(make_loader_pipeline(config), ConfigError);
}

}  // namespace
}  // namespace genint::loader
