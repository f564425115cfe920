// Every invalid transferred entry is refused with a ConfigError naming "sources[2].<key>" (alone and through a whole
// loader config), "device": "cuda" where it cannot run with its reason, and the source is built in.
#include <gtest/gtest.h>

#include <utility>

#include "loader/pipeline/loader_builder.h"
#include "loader/support/jpeg_tree.h"
#include "nn/core/device.h"
#include "nn/core/error.h"
#include "tests/loader/sources/transferred/transferred_test_support.h"

namespace genint::loader {
namespace {

using testing::JpegTree;

// The refused field and the message, or "(accepted)" twice.
std::pair<std::string, std::string> refusal(const nlohmann::json& keys, int image_size = 16, int count = 6) {
  try {
    testing::make_source(keys, image_size, SampleLayout::Uint8Hwc, count);
  } catch (const ConfigError& error) {
    return {error.field(), error.what()};
  }
  return {"(accepted)", "(accepted)"};
}

std::string refused_field(const nlohmann::json& keys) {
  return refusal(keys).first;
}

TEST(TransferredSourceConfig, ErrorsNameTheField) {
  const JpegTree tree(2, 3, false);
  const nlohmann::json good = testing::transferred_keys(tree.root());
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
  const std::string field = "sources[2].";
  EXPECT_EQ(refused_field(without("network")), field + "network");
  EXPECT_EQ(refused_field(with("network", "/no/such/adain.safetensors")), field + "network");
  EXPECT_EQ(refused_field(with("network", testing::kDemoGenerator)), field + "network");  // not an AdaIN file
  EXPECT_EQ(refused_field(with("network", 3)), field + "network");
  EXPECT_EQ(refused_field(with("alpha", {-0.1, 0.5})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", {0.2, 1.5})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", {0.6, 0.5})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", {0.5})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", {0.1, 0.2, 0.3})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", {"0.1", 0.2})), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", 1.5)), field + "alpha");
  EXPECT_EQ(refused_field(with("alpha", "full")), field + "alpha");
  EXPECT_EQ(refused_field(with("contents_per_style", 0)), field + "contents_per_style");
  EXPECT_EQ(refused_field(with("contents_per_style", -2)), field + "contents_per_style");
  EXPECT_EQ(refused_field(with("contents_per_style", 4)), field + "contents_per_style");  // does not divide 6
  EXPECT_EQ(refused_field(with("contents_per_style", 1.5)), field + "contents_per_style");
  EXPECT_EQ(refused_field(with("style", "painting")), field + "style");
  EXPECT_EQ(refused_field(with("style_root", tree.root())), field + "style_root");  // generated styles
  EXPECT_EQ(refused_field(with("label_map", {{"0", 0}})), field + "label_map");
  EXPECT_EQ(refused_field(with("label_count", 2)), field + "label_count");
  EXPECT_EQ(refused_field(with("chunk", 4)), field + "chunk");
  EXPECT_EQ(refused_field(with("colour", 1)), field + "colour");
  EXPECT_EQ(refused_field(with("device", "tpu")), field + "device");
  EXPECT_EQ(refused_field(with("device_index", 0)), field + "device_index");  // only with device 'cuda'
  EXPECT_EQ(refused_field(with("precision", "tf32")), field + "precision");   // the CPU forwards are float32
  EXPECT_EQ(refused_field(without("root")), field + "root");
  EXPECT_EQ(refused_field(with("root", "/no/such/folder")), field + "root");
  EXPECT_EQ(refused_field(with("mode", "test")), field + "mode");  // a natural key, read as the natural source does
  EXPECT_EQ(refused_field(without("generator")), field + "generator");
  EXPECT_EQ(refused_field(with("generator", "/no/such/generator.safetensors")), field + "generator");
  EXPECT_EQ(refused_field(without("directions")), field + "directions");
  EXPECT_EQ(refused_field(with("top_k", 100)), field + "top_k");
  EXPECT_EQ(refused_field(with("classes", {12})), field + "classes");
  EXPECT_EQ(refusal(good, 8).first, field + "network");  // AdaIN needs 9 × 9 at least
  // Natural styles: no generator keys; a missing style folder is named.
  nlohmann::json natural = {{"root", tree.root()}, {"network", testing::kNarrowAdaIN}, {"style", "natural"}};
  ASSERT_EQ(refused_field(natural), "(accepted)");
  for (const char* key : {"generator", "directions", "space", "truncation", "classes"}) {
    nlohmann::json keys = natural;
    keys[key] = good.contains(key) ? good[key] : nlohmann::json(1);
    EXPECT_EQ(refused_field(keys), field + key) << key;
  }
  natural["style_root"] = "/no/such/styles";
  EXPECT_EQ(refused_field(natural), field + "style_root");
}

// Where "cuda" cannot run, the error names the key to change and says why; on a machine with a GPU the same entries
// are accepted (transferred_source_cuda_test checks what they produce).
TEST(TransferredSourceConfig, CudaIsRefusedWhereItCannotRunAndSaysWhy) {
  const JpegTree tree(2, 3, false);
  const nlohmann::json generated = testing::transferred_keys(tree.root(), {{"device", "cuda"}});
  const nlohmann::json natural = {
      {"root", tree.root()}, {"network", testing::kNarrowAdaIN}, {"style", "natural"}, {"device", "cuda"}};
  for (const nlohmann::json& keys : {generated, natural}) {
    const auto [field, message] = refusal(keys);
    if (!cuda_backend_built()) {
      EXPECT_EQ(field, "sources[2].device");
      EXPECT_NE(message.find("-DGENINT_CUDA=ON"), std::string::npos) << message;
    } else if (cuda_device_count() == 0) {
      EXPECT_EQ(field, "sources[2].device");
      EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
    } else {
      EXPECT_EQ(field, "(accepted)") << message;
    }
    nlohmann::json beyond = keys;
    beyond["device_index"] = 1024;  // no machine has that many GPUs
    EXPECT_EQ(refusal(beyond).first, cuda_backend_built() ? "sources[2].device_index" : "sources[2].device");
    nlohmann::json fp8 = keys;
    fp8["precision"] = "fp8";
    EXPECT_EQ(refusal(fp8).first, "sources[2].precision");
  }
  // Activation edits run inside the generator's forward, which only the CPU generator can hook.
  nlohmann::json activation = generated;
  activation.update(
      {{"space", "activation"}, {"directions", std::string(GENINT_DEMO_DIR) + "/directions-layers.2-pca.safetensors"}});
  activation["device"] = "cpu";
  ASSERT_EQ(refused_field(activation), "(accepted)");
  activation["device"] = "cuda";
  const auto [field, message] = refusal(activation);
  EXPECT_EQ(field, "sources[2].device") << message;
  if (cuda_device_count() > 0) {
    EXPECT_NE(message.find("hooks"), std::string::npos) << message;
  }
}

TEST(SourceFactory, TheTransferredSourceIsBuiltInAndItsErrorsNameTheEntry) {
  const JpegTree tree(2, 3, false);
  nlohmann::json transferred = testing::transferred_keys(tree.root());
  transferred.update({{"kind", "transferred"}, {"count", 2}, {"weight", 0.5}});
  nlohmann::json config = {{"batch_size", 4},
                           {"image", {{"size", 16}}},
                           {"sources", {{{"kind", "natural"}, {"count", 2}, {"root", tree.root()}}, transferred}}};
  EXPECT_NO_THROW(make_loader_pipeline(parse_loader_config(config)));
  config["sources"][1].erase("network");
  try {
    make_loader_pipeline(parse_loader_config(config));
    FAIL() << "a transferred entry without a network was accepted";
  } catch (const ConfigError& error) {
    EXPECT_EQ(error.field(), "sources[1].network");
  }
}

}  // namespace
}  // namespace genint::loader
