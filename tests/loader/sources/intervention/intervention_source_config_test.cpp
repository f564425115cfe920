// Every invalid intervention source entry is refused with a ConfigError naming "sources[1].<key>", both when
// the source is built alone and when a whole loader config goes through make_loader_pipeline.
#include <gtest/gtest.h>

#include <utility>

#include "loader/pipeline/loader_builder.h"
#include "loader/sources/intervention/intervention_source.h"
#include "nn/core/device.h"
#include "nn/core/error.h"
#include "tests/gan/interventions/intervention_test_support.h"

namespace genint {
namespace {

using testing::DirectionsFolder;
using testing::intervention_keys;

// The refused field and the error message, or "(accepted)" twice.
std::pair<std::string, std::string> refusal(const nlohmann::json& keys) {
  loader::LoaderConfig config;
  config.image_size = 16;
  loader::SourceSettings settings;
  settings.kind = loader::SourceKind::Intervention;
  settings.own_settings = keys;
  settings.path = "sources[1]";
  try {
    make_intervention_source(config, settings);
  } catch (const ConfigError& error) {
    return {error.field(), error.what()};
  }
  return {"(accepted)", "(accepted)"};
}

std::string refused_field(const nlohmann::json& keys) {
  return refusal(keys).first;
}

std::string refused_message(const nlohmann::json& keys) {
  return refusal(keys).second;
}

TEST(InterventionSourceConfig, ErrorsNameTheField) {
  const DirectionsFolder folder;
  const nlohmann::json good = intervention_keys(folder);
  ASSERT_EQ(refused_field(good), "(accepted)");
  const auto with = [&good](const std::string& key, const nlohmann::json& value) {
    nlohmann::json keys = good;
    keys[key] = value;
    return keys;
  };
  const auto without = [&good](const std::string& key) {
    nlohmann::json keys = good;
    keys.erase(key);
    return keys;
  };
  const auto on_cuda = [&with](const std::string& key, const nlohmann::json& value) {
    nlohmann::json keys = with(key, value);
    keys["device"] = "cuda";
    return keys;
  };
  nlohmann::json observational = intervention_keys(folder, "observational");
  ASSERT_EQ(refused_field(observational), "(accepted)");
  observational["top_k"] = 3;
  nlohmann::json activation = intervention_keys(folder, "activation");
  ASSERT_EQ(refused_field(activation), "(accepted)");
  activation["layer_begin"] = 1;

  // A directions file whose provenance names another generator.
  DirectionSet foreign = DirectionSet::read(folder.directions_path());
  foreign.generator_id = "other.safetensors:fnv1a64:0123456789abcdef";
  foreign.write(folder.path("foreign.safetensors"));

  nlohmann::json label_beyond_count = with("label_map", {{"3", 7}});
  label_beyond_count["label_count"] = 5;

  const std::vector<std::pair<nlohmann::json, std::string>> cases = {
      {without("generator"), "sources[1].generator"},
      {with("generator", folder.path("missing.safetensors")), "sources[1].generator"},
      {with("generator", folder.directions_path()), "sources[1].generator"},  // not a generator file
      {with("space", "sideways"), "sources[1].space"},
      {without("directions"), "sources[1].directions"},
      {with("directions", folder.path("missing.safetensors")), "sources[1].directions"},
      {with("directions", testing::kTinyGenerator), "sources[1].directions"},  // not a directions file
      {with("directions", folder.path("foreign.safetensors")), "sources[1].directions"},
      {observational, "sources[1].top_k"},
      {activation, "sources[1].layer_begin"},
      {with("top_k", testing::kTinyDirectionComponents + 1), "sources[1].top_k"},
      {with("top_k", 0), "sources[1].top_k"},
      {with("step", -1.0), "sources[1].step"},
      {with("truncation", 0.0), "sources[1].truncation"},
      {with("truncation", 1.5), "sources[1].truncation"},
      {with("layer_end", 99), "sources[1].layer_end"},
      {with("layer_begin", 7), "sources[1].layer_begin"},  // the tiny model has 7 per-layer latents
      {with("classes", {3, 10}), "sources[1].classes"},
      {with("classes", nlohmann::json::array()), "sources[1].classes"},
      {with("classes", {3, "4"}), "sources[1].classes[1]"},
      {with("label_map", {0, 1, 2}), "sources[1].label_map"},  // 3 entries, 10 classes
      {with("label_map", {{"12", 0}}), "sources[1].label_map.12"},
      {with("label_map", {{"three", 0}}), "sources[1].label_map.three"},
      {with("label_map", "identity"), "sources[1].label_map"},
      {with("label_count", 5), "sources[1].classes"},  // identity labels reach 9
      {label_beyond_count, "sources[1].label_map"},
      {with("chunk", 0), "sources[1].chunk"},
      {with("device", "tpu"), "sources[1].device"},
      {with("device_index", 0), "sources[1].device_index"},  // only with device 'cuda'
      {with("precision", "tf32"), "sources[1].precision"},   // the CPU forward is float32
      {on_cuda("precision", "fp8"), "sources[1].precision"},
      {on_cuda("device_index", -1), "sources[1].device_index"},
      {with("stpe", 1.0), "sources[1].stpe"},
  };
  for (const auto& [keys, field] : cases) EXPECT_EQ(refused_field(keys), field) << keys.dump();
}

// Where "cuda" cannot run, the error names the key to change and says why; on a machine with a GPU the same
// entry is accepted (the cuda-labelled test checks what it produces).
TEST(InterventionSourceConfig, CudaIsRefusedWhereItCannotRunAndSaysWhy) {
  const DirectionsFolder folder;
  nlohmann::json cuda = intervention_keys(folder);
  cuda["device"] = "cuda";
  const std::string refused = refused_field(cuda);
  if (!cuda_backend_built()) {
    EXPECT_EQ(refused, "sources[1].device");
    EXPECT_NE(refused_message(cuda).find("-DGENINT_CUDA=ON"), std::string::npos) << refused_message(cuda);
  } else if (cuda_device_count() == 0) {
    EXPECT_EQ(refused, "sources[1].device");
    EXPECT_NE(refused_message(cuda).find("does not exist"), std::string::npos) << refused_message(cuda);
  } else {
    EXPECT_EQ(refused, "(accepted)");
  }
  nlohmann::json beyond = cuda;
  beyond["device_index"] = 1024;  // no machine has that many GPUs
  EXPECT_EQ(refused_field(beyond), cuda_backend_built() ? "sources[1].device_index" : "sources[1].device");
  // Activation edits run inside the forward, which only the CPU generator can hook.
  nlohmann::json activation = intervention_keys(folder, "activation");
  activation["device"] = "cuda";
  EXPECT_EQ(refused_field(activation), "sources[1].device");
  if (cuda_device_count() > 0) {
    EXPECT_NE(refused_message(activation).find("hooks"), std::string::npos) << refused_message(activation);
  }
}

TEST(InterventionSourceConfig, TheLoaderBuildsItFromTheConfigAndReportsItsErrors) {
  const DirectionsFolder folder;
  nlohmann::json entry = intervention_keys(folder);
  entry["kind"] = "intervention";
  entry["count"] = 2;
  nlohmann::json config = {{"image", {{"size", 16}}}, {"sources", {entry}}};
  auto pipeline = loader::make_loader_pipeline(loader::parse_loader_config(config));
  const loader::BatchView batch = pipeline->next_batch();
  EXPECT_EQ(batch.size, 2);
  EXPECT_EQ(batch.sources[0], static_cast<std::int32_t>(loader::SourceKind::Intervention));
  pipeline->release_batch(batch.ring_slot, batch.index);
  pipeline.reset();

  config["sources"][0]["space"] = "latent_centered";
  try {
    loader::make_loader_pipeline(loader::parse_loader_config(config));
    FAIL() << "a misspelt space must be refused";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.field(), "sources[0].space");
    EXPECT_NE(std::string(error.what()).find("latent_centred"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace genint
