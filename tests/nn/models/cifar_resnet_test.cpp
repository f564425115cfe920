// He et al.'s CIFAR ResNet-20/32/56 (nn/models/resnet.h): parameter counts, torchvision-style names and shapes,
// the refused small-input stem, kaiming init, safetensors round trip, gradients against finite differences.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/core/error.h"
#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/models/resnet_test_support.h"
#include "nn/ops/op_test_support.h"
#include "nn/safetensors/safetensors_reader.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

constexpr int kClasses = 10;

std::int64_t parameter_count(const ResNet& model, bool downsample_only) {
  std::int64_t count = 0;
  for (const ResNetTensor& parameter : model.parameters())
    if (!downsample_only || parameter.name.find(".downsample.") != std::string::npos)
      count += parameter.value.element_count();
  return count;
}

int blocks_per_stage(const std::string& architecture) {
  return architecture == "resnet20" ? 3 : architecture == "resnet32" ? 5 : 9;
}

// The state_dict torchvision's ResNet class would have with BasicBlocks of 16/32/64 planes and no layer4.
std::vector<std::pair<std::string, Shape>> expected_state(int blocks) {
  std::vector<std::pair<std::string, Shape>> state;
  auto conv_norm = [&state](const std::string& conv, const std::string& norm, Shape shape) {
    const std::int64_t channels = shape[0];
    state.emplace_back(conv + ".weight", shape);
    for (const char* suffix : {".weight", ".bias", ".running_mean", ".running_var"})
      state.emplace_back(norm + suffix, Shape{channels});
  };
  conv_norm("conv1", "bn1", Shape{16, 3, 3, 3});
  std::int64_t in_planes = 16;
  for (int stage = 0; stage < 3; ++stage) {
    const std::int64_t planes = std::int64_t{16} << stage;
    for (int block = 0; block < blocks; ++block) {
      const std::string prefix = "layer" + std::to_string(stage + 1) + "." + std::to_string(block) + ".";
      conv_norm(prefix + "conv1", prefix + "bn1", Shape{planes, in_planes, 3, 3});
      conv_norm(prefix + "conv2", prefix + "bn2", Shape{planes, planes, 3, 3});
      if (in_planes != planes)
        conv_norm(prefix + "downsample.0", prefix + "downsample.1", Shape{planes, in_planes, 1, 1});
      in_planes = planes;
    }
  }
  state.emplace_back("fc.weight", Shape{kClasses, 64});
  state.emplace_back("fc.bias", Shape{kClasses});
  return state;
}

TEST(CifarResNetStructure, ParameterCountsAreHeEtAlsPlusTheOptionBShortcuts) {
  // He et al.'s option-A counts (269,722 / 464,154 / 853,018 at 10 classes: the paper's 0.27 M, 0.46 M, 0.85 M)
  // plus option B's two 1x1 convs and batch norms, 16·32 + 2·32 + 32·64 + 2·64 = 2,752 parameters. Our totals are
  // PyTorch's sum(p.numel()) for tools/cifar_resnet.py.
  const std::vector<std::pair<std::string, std::int64_t>> option_a = {
      {"resnet20", 269722}, {"resnet32", 464154}, {"resnet56", 853018}};
  for (const auto& [architecture, count] : option_a) {
    const ResNet model(ResNetConfig{architecture, kClasses, false});
    EXPECT_EQ(parameter_count(model, true), 2752) << architecture;
    EXPECT_EQ(parameter_count(model, false), count + 2752) << architecture;
  }
}

TEST(CifarResNetStructure, StateNamesAndShapesFollowTorchvision) {
  for (const std::string architecture : {"resnet20", "resnet32", "resnet56"}) {
    const ResNet model(ResNetConfig{architecture, kClasses, false});
    const std::vector<std::pair<std::string, Shape>> expected = expected_state(blocks_per_stage(architecture));
    ASSERT_EQ(model.state().size(), expected.size()) << architecture;
    for (std::size_t index = 0; index < expected.size(); ++index) {
      EXPECT_EQ(model.state()[index].name, expected[index].first) << architecture << " entry " << index;
      EXPECT_EQ(model.state()[index].value.shape(), expected[index].second) << model.state()[index].name;
      EXPECT_EQ(model.state()[index].is_parameter, model.state()[index].name.find("running") == std::string::npos);
    }
    EXPECT_THROW(model.find("layer4.0.conv1.weight"), Error);
    EXPECT_THROW(model.find("layer1.0.downsample.0.weight"), Error);  // 16 → 16, stride 1: identity
    EXPECT_TRUE(is_cifar_resnet(architecture));
  }
}

TEST(CifarResNetStructure, ListedAndTheSmallInputStemIsRefused) {
  const std::vector<std::string>& names = resnet_architectures();
  for (const char* name : {"resnet18", "resnet152", "resnet20", "resnet32", "resnet56"})
    EXPECT_NE(std::find(names.begin(), names.end(), name), names.end()) << name;
  EXPECT_FALSE(is_cifar_resnet("resnet18"));
  try {
    const ResNet model(ResNetConfig{"resnet20", kClasses, true});
    ADD_FAILURE() << "small_input_stem was accepted for resnet20";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("always has its CIFAR stem"), std::string::npos) << error.what();
  }
  try {
    const ResNet model(ResNetConfig{"resnet44", kClasses, false});
    ADD_FAILURE() << "resnet44 was accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("resnet20, resnet32, resnet56"), std::string::npos) << error.what();
  }
}

TEST(CifarResNetStructure, TrainsAt32x32AndSmaller) {
  ResNet model(ResNetConfig{"resnet20", kClasses, false});
  testing::fill_procedural(model);
  for (const int size : {32, 4}) {  // 4x4: layer3 at 1x1 (its batch norms see 2 values per channel)
    const std::vector<float> planes = testing::random_planes(2, size, 1);
    const Tensor logits = model.forward(model.upload_images(planes.data(), 2, size, size), BatchNormMode::Train);
    EXPECT_EQ(logits.shape(), (Shape{2, kClasses})) << size;
    const std::vector<std::int32_t> labels = testing::cyclic_labels(2, kClasses, 3);
    EXPECT_TRUE(std::isfinite(model.backward(labels.data(), 2))) << size;
  }
}

TEST(CifarResNetInit, KaimingFanOutAndLinearDefault) {
  ResNet model(ResNetConfig{"resnet56", kClasses, false});
  model.initialize_kaiming(3);
  const Tensor& weight = model.find("layer3.8.conv2.weight").value;  // 36,864 values, fan_out 64·9
  double squares = 0.0;
  for (std::int64_t index = 0; index < weight.element_count(); ++index)
    squares += static_cast<double>(weight.data<float>()[index]) * weight.data<float>()[index];
  const double expected_std = std::sqrt(2.0 / (64.0 * 9.0));
  // The std estimate of 36,864 normal samples has a standard error of 0.37 %; 3 % is eight of those.
  EXPECT_NEAR(std::sqrt(squares / static_cast<double>(weight.element_count())), expected_std, 0.03 * expected_std);
  const float bound = 1.0f / std::sqrt(64.0f);  // nn.Linear's default over fc's 64 inputs
  const Tensor& fc = model.find("fc.weight").value;
  for (std::int64_t index = 0; index < fc.element_count(); ++index)
    EXPECT_LE(std::fabs(fc.data<float>()[index]), bound);
}

TEST(CifarResNetWeights, SaveLoadRoundTripAndDepthMismatchIsNamed) {
  const testing::TemporaryDirectory directory("cifar_resnet_weights");
  ResNet saved(ResNetConfig{"resnet20", kClasses, false});
  testing::fill_procedural(saved);
  saved.save_safetensors(directory.file("resnet20.safetensors"));
  const io::SafetensorsFile file = io::SafetensorsFile::open(directory.file("resnet20.safetensors"));
  EXPECT_EQ(file.metadata().at("architecture"), "resnet20");
  EXPECT_TRUE(file.contains("layer3.0.downsample.1.num_batches_tracked"));
  ResNet loaded(ResNetConfig{"resnet20", kClasses, false});
  loaded.load_safetensors(directory.file("resnet20.safetensors"));
  for (std::size_t index = 0; index < saved.state().size(); ++index)
    EXPECT_EQ(testing::host_values(loaded.state()[index].value), testing::host_values(saved.state()[index].value))
        << saved.state()[index].name;
  ResNet deeper(ResNetConfig{"resnet32", kClasses, false});
  try {
    deeper.load_safetensors(directory.file("resnet20.safetensors"));
    ADD_FAILURE() << "a resnet20 file loaded into resnet32";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("'layer1.3.conv1.weight' is missing"), std::string::npos) << error.what();
  }
}

TEST(CifarResNetTraining, StepsAfterTheFirstAllocateNothing) {
  ResNet model(ResNetConfig{"resnet20", kClasses, false});
  testing::expect_steps_stop_allocating(model, testing::random_planes(4, 16, 2), testing::cyclic_labels(4, kClasses, 3),
                                        16);
}

// Central differences of the train-mode loss (batch statistics and all) along each parameter tensor's gradient: with
// d = g/|g|, (L(θ + h·d) − L(θ − h·d)) / 2h must equal |g|. A single coordinate is no test here: ReLU kinks lie within
// 1e-5 of a channel's spread of zero (procedural weights, no placed biases), so one coordinate's central difference
// moves by 10-30 % between steps 1e-3 and 1e-4 in the stem; along the gradient the slope is |g|, √n times a
// coordinate's, and the kinks' share of it small. A scaled, misplaced or missing gradient term changes |g| or turns d
// away from the true gradient, and either moves the difference from |g|.
TEST(CifarResNetTraining, GradientsMatchFiniteDifferences) {
  constexpr int kBatch = 4, kSize = 16;
  ResNet model(ResNetConfig{"resnet20", kClasses, false});
  testing::fill_procedural(model);
  const std::vector<float> planes = testing::random_planes(kBatch, kSize, 9);
  const std::vector<std::int32_t> labels = testing::cyclic_labels(kBatch, kClasses, 3);
  testing::train_step(model, planes, labels, kSize);
  std::vector<std::vector<float>> gradients;
  for (const ResNetTensor& parameter : model.parameters()) gradients.push_back(testing::host_values(parameter.grad));
  for (std::size_t tensor = 0; tensor < gradients.size(); ++tensor) {
    const ResNetTensor& parameter = model.parameters()[tensor];
    const std::vector<float> original = testing::host_values(parameter.value);
    double norm = 0.0;
    for (const float value : gradients[tensor]) norm += static_cast<double>(value) * value;
    norm = std::sqrt(norm);
    const auto loss = [&](const std::vector<float>& step) {
      float* values = parameter.value.data<float>();
      for (std::size_t index = 0; index < original.size(); ++index)
        values[index] = original[index] + static_cast<float>(step[0] * gradients[tensor][index] / norm);
      const double result = testing::train_step(model, planes, labels, kSize);
      std::copy(original.begin(), original.end(), values);
      return result;
    };
    // Measured at batch 4, 16x16: every tensor's difference within 1.4 % of |g| (layer1's batch norms and the stem
    // the farthest, for the kinks above; fc within 1e-4). The step 1e-3 along d keeps float32's loss rounding (~2e-7)
    // to 2e-7 / 2e-3 = 1e-4 in the slope, 0.25 % of the smallest |g| here (0.04). 3 % holds that with room, and a
    // wrong backward term (a factor, a transposed or dropped piece: 10 % and more of |g|) still fails it.
    testing::expect_gradient_matches_finite_differences({0.0f}, {static_cast<float>(norm)}, loss, 1e-3f, 0.0, 3e-2,
                                                        parameter.name);
  }
}

}  // namespace
}  // namespace genint
