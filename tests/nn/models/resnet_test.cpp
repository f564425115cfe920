// ResNet structure and behaviour: torchvision's parameter counts and names, the small-input stem, seeded
// kaiming init, strict safetensors load/save, training steps that stop allocating, and misuse errors.
#include "nn/models/resnet.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/models/procedural_weights.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

std::int64_t parameter_count(const ResNet& model) {
  std::int64_t count = 0;
  for (const ResNetTensor& parameter : model.parameters()) count += parameter.value.element_count();
  return count;
}

Tensor random_images(int batch, int size, std::uint64_t seed) {
  Tensor images = Tensor::empty(Shape{batch, 3, size, size}, DType::Float32, Device::Cpu);
  for (std::int64_t index = 0; index < images.element_count(); ++index)
    images.data<float>()[index] =
        static_cast<float>(testing::splitmix64(seed + static_cast<std::uint64_t>(index)) >> 40) / 16777216.0f - 0.5f;
  return images;
}

std::vector<float> values_of(const Tensor& tensor) {
  return std::vector<float>(tensor.data<float>(), tensor.data<float>() + tensor.element_count());
}

// torchvision's sum(p.numel() for p in model.parameters()) with num_classes=1000.
TEST(ResNetStructure, ParameterCountsMatchTorchvision) {
  const std::vector<std::pair<std::string, std::int64_t>> expected = {{"resnet18", 11689512},
                                                                      {"resnet34", 21797672},
                                                                      {"resnet50", 25557032},
                                                                      {"resnet101", 44549160},
                                                                      {"resnet152", 60192808}};
  for (const auto& [architecture, count] : expected) {
    const ResNet model(ResNetConfig{architecture, 1000, false});
    EXPECT_EQ(parameter_count(model), count) << architecture;
  }
}

TEST(ResNetStructure, NamesAndShapesFollowTorchvision) {
  const ResNet model(ResNetConfig{"resnet50", 7, false});
  EXPECT_EQ(model.state().front().name, "conv1.weight");
  EXPECT_EQ(model.find("conv1.weight").value.shape(), (Shape{64, 3, 7, 7}));
  EXPECT_EQ(model.find("layer2.0.conv2.weight").value.shape(), (Shape{128, 128, 3, 3}));  // stride on the 3x3
  EXPECT_EQ(model.find("layer2.0.downsample.0.weight").value.shape(), (Shape{512, 256, 1, 1}));
  EXPECT_EQ(model.find("layer4.2.bn3.running_var").value.shape(), (Shape{2048}));
  EXPECT_FALSE(model.find("layer4.2.bn3.running_var").is_parameter);
  EXPECT_EQ(model.find("fc.weight").value.shape(), (Shape{7, 2048}));
  EXPECT_EQ(model.state().back().name, "fc.bias");
  EXPECT_EQ(model.find("layer1.0.downsample.0.weight").value.shape(), (Shape{256, 64, 1, 1}));  // 64 → 4·64
  EXPECT_EQ(model.parameters().size(), 161U);
  const ResNet basic(ResNetConfig{"resnet18", 10, false});
  EXPECT_THROW(basic.find("layer1.0.downsample.0.weight"), Error);  // 64 → 64, stride 1: identity
  EXPECT_EQ(basic.find("layer3.0.downsample.1.running_mean").value.shape(), (Shape{256}));
}

TEST(ResNetStructure, SmallInputStemKeepsResolution) {
  ResNet model(ResNetConfig{"resnet18", 10, true});
  EXPECT_EQ(model.find("conv1.weight").value.shape(), (Shape{64, 3, 3, 3}));
  testing::fill_procedural(model);
  const Tensor logits = model.forward(random_images(2, 8, 1), BatchNormMode::Train);
  EXPECT_EQ(logits.shape(), (Shape{2, 10}));
  // 8x8 → layer4 at 1x1 only without the 7x7/2 stem and max pool; the standard stem cannot take 8x8 in training
  // (layer4 would see a single value per channel).
  ResNet standard(ResNetConfig{"resnet18", 10, false});
  EXPECT_THROW(standard.forward(random_images(1, 8, 1), BatchNormMode::Train), Error);
}

TEST(ResNetStructure, RefusesBadConfigurations) {
  EXPECT_THROW(ResNet(ResNetConfig{"resnet19", 10, false}), Error);
  EXPECT_THROW(ResNet(ResNetConfig{"resnet18", 0, false}), Error);
}

TEST(ResNetInit, KaimingFanOutStatisticsAndSeeding) {
  ResNet model(ResNetConfig{"resnet18", 10, false});
  model.initialize_kaiming(7);
  const Tensor& weight = model.find("layer4.1.conv2.weight").value;  // fan_out 512·9
  double sum = 0.0, squares = 0.0;
  for (const float value : values_of(weight)) {
    sum += value;
    squares += static_cast<double>(value) * value;
  }
  const double count = static_cast<double>(weight.element_count());
  const double expected_std = std::sqrt(2.0 / (512.0 * 9.0));
  // 2.36M samples: the standard error of the std estimate is ~0.05%; 1% cannot be hit by chance.
  EXPECT_NEAR(std::sqrt(squares / count), expected_std, 0.01 * expected_std);
  EXPECT_NEAR(sum / count, 0.0, 0.01 * expected_std);
  for (const float value : values_of(model.find("layer1.0.bn1.weight").value)) EXPECT_EQ(value, 1.0f);
  for (const float value : values_of(model.find("layer1.0.bn1.running_var").value)) EXPECT_EQ(value, 1.0f);
  const float bound = 1.0f / std::sqrt(512.0f);
  for (const float value : values_of(model.find("fc.weight").value)) EXPECT_LE(std::fabs(value), bound);
  const std::vector<float> first = values_of(model.find("conv1.weight").value);
  model.initialize_kaiming(7);
  EXPECT_EQ(values_of(model.find("conv1.weight").value), first);
  model.initialize_kaiming(8);
  EXPECT_NE(values_of(model.find("conv1.weight").value), first);
}

TEST(ResNetWeights, SaveThenLoadRestoresEveryTensor) {
  const testing::TemporaryDirectory directory("resnet_weights");
  ResNet saved(ResNetConfig{"resnet18", 10, true});
  testing::fill_procedural(saved);
  saved.forward(random_images(2, 8, 3), BatchNormMode::Train);  // moves the running statistics, counts a batch
  saved.save_safetensors(directory.file("model.safetensors"));
  const io::SafetensorsFile file = io::SafetensorsFile::open(directory.file("model.safetensors"));
  EXPECT_EQ(file.metadata().at("architecture"), "resnet18");
  EXPECT_EQ(file.metadata().at("num_classes"), "10");
  EXPECT_EQ(file.read<std::int64_t>("layer3.1.bn2.num_batches_tracked").front(), 1);

  ResNet loaded(ResNetConfig{"resnet18", 10, true});
  loaded.load_safetensors(directory.file("model.safetensors"));
  for (std::size_t index = 0; index < saved.state().size(); ++index)
    EXPECT_EQ(values_of(loaded.state()[index].value), values_of(saved.state()[index].value))
        << saved.state()[index].name;
  EXPECT_EQ(loaded.num_batches_tracked(), 1);
}

// Writes `model`'s state with one tensor changed by `edit` (which may also drop or add tensors).
template <typename Edit>
void write_edited(const ResNet& model, const std::string& path, Edit&& edit) {
  io::SafetensorsWriter writer;
  for (const ResNetTensor& entry : model.state()) {
    std::vector<std::uint64_t> shape;
    for (int dimension = 0; dimension < entry.value.rank(); ++dimension)
      shape.push_back(static_cast<std::uint64_t>(entry.value.size(dimension)));
    std::vector<float> values = values_of(entry.value);
    if (edit(entry.name, shape, values)) writer.add(entry.name, shape, values);
  }
  writer.write_file(path);
}

std::string load_error(ResNet& model, const std::string& path) {
  try {
    model.load_safetensors(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(ResNetWeights, LoadNamesTheFirstMismatch) {
  const testing::TemporaryDirectory directory("resnet_weights_bad");
  ResNet model(ResNetConfig{"resnet18", 10, false});
  const std::vector<float> before = values_of(model.find("conv1.weight").value);
  write_edited(model, directory.file("missing.safetensors"),
               [](const std::string& name, auto&, auto&) { return name != "layer2.1.bn1.running_mean"; });
  EXPECT_NE(load_error(model, directory.file("missing.safetensors")).find("'layer2.1.bn1.running_mean' is missing"),
            std::string::npos);
  write_edited(model, directory.file("shape.safetensors"), [](const std::string& name, auto& shape, auto& values) {
    if (name == "fc.bias") {
      shape = {11};
      values.resize(11);
    }
    return true;
  });
  EXPECT_NE(load_error(model, directory.file("shape.safetensors")).find("'fc.bias' has shape [11]"), std::string::npos);
  ResNet other(ResNetConfig{"resnet34", 10, false});
  write_edited(other, directory.file("resnet34.safetensors"), [](const std::string&, auto&, auto&) { return true; });
  EXPECT_NE(load_error(model, directory.file("resnet34.safetensors")).find("is not part of resnet18"),
            std::string::npos);
  EXPECT_EQ(values_of(model.find("conv1.weight").value), before) << "a refused file must leave the model as it was";
}

TEST(ResNetTraining, StepsAfterTheFirstAllocateNothing) {
  ResNet model(ResNetConfig{"resnet18", 10, true});
  const Tensor images = random_images(2, 16, 5);
  const std::vector<std::int32_t> labels = {1, 9};
  model.forward(images, BatchNormMode::Train);
  model.backward(labels.data(), 2);
  model.forward(images, BatchNormMode::Train);
  model.backward(labels.data(), 2);
  const std::size_t warm = model.arena().system_allocations();
  for (int step = 0; step < 2; ++step) {
    model.forward(images, BatchNormMode::Train);
    const float loss = model.backward(labels.data(), 2);
    EXPECT_TRUE(std::isfinite(loss));
  }
  EXPECT_EQ(model.arena().system_allocations(), warm);
}

TEST(ResNetTraining, SampleWeightsScaleLossAndGradients) {
  ResNet model(ResNetConfig{"resnet18", 10, true});
  const Tensor images = random_images(2, 8, 6);
  const std::vector<std::int32_t> labels = {2, 4};
  model.forward(images, BatchNormMode::Train);
  const float mean_loss = model.backward(labels.data(), 2);
  const std::vector<float> mean_grad = values_of(model.find("layer1.0.conv1.weight").grad);
  const std::vector<float> weights = {1.0f, 1.0f};  // the sum: twice the mean
  model.forward(images, BatchNormMode::Train);
  const float summed_loss = model.backward(labels.data(), 2, weights.data());
  const std::vector<float> summed_grad = values_of(model.find("layer1.0.conv1.weight").grad);
  // The second forward normalises with the same batch statistics; only summation order can differ.
  EXPECT_NEAR(summed_loss, 2.0f * mean_loss, 1e-5f * std::fabs(mean_loss));
  for (std::size_t index = 0; index < mean_grad.size(); index += 97)
    EXPECT_NEAR(summed_grad[index], 2.0f * mean_grad[index], 1e-4f * std::fabs(mean_grad[index]) + 1e-9f);
}

TEST(ResNetTraining, MisuseIsRefused) {
  ResNet model(ResNetConfig{"resnet18", 10, true});
  const std::vector<std::int32_t> labels = {0, 10};
  EXPECT_THROW(model.backward(labels.data(), 2), Error);  // no forward yet
  model.forward(random_images(2, 8, 7), BatchNormMode::Eval);
  EXPECT_THROW(model.backward(labels.data(), 2), Error);  // eval forward
  model.forward(random_images(2, 8, 7), BatchNormMode::Train);
  EXPECT_THROW(model.backward(labels.data(), 1), Error);  // wrong count
  EXPECT_THROW(model.backward(labels.data(), 2), Error);  // label 10 of 10 classes
  EXPECT_THROW(model.forward(Tensor::zeros(Shape{2, 4, 8, 8}, DType::Float32, Device::Cpu), BatchNormMode::Eval),
               Error);
}

}  // namespace
}  // namespace genint
