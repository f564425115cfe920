// ResNet-18/50 (128×128) and the CIFAR ResNet-20 (32×32) against PyTorch (tools/golden/make_resnet_goldens.py),
// batch 8: names, eval/train logits, loss, sampled gradients and running statistics, an SGD step, converted weights.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <string>
#include <vector>

#include "nn/models/procedural_weights.h"
#include "nn/models/resnet.h"
#include "nn/models/sha256.h"
#include "nn/optim/sgd.h"
#include "nn/safetensors/safetensors_writer.h"
#include "support/golden_file.h"
#include "support/temporary_directory.h"

namespace genint {
namespace {

using testing::GoldenFile;

std::vector<float> values_of(const Tensor& tensor) {
  const float* data = tensor.data<float>();
  return std::vector<float>(data, data + tensor.element_count());
}

// The golden's sampling: sample j of an n-element tensor is element ((j + 1)·step) mod n, j < min(n, samples). The
// step is a prime above every n, so it shares no factor with the shape: the indices are distinct and cover every
// kernel tap and channel rather than one tap of a k×k kernel.
struct SampleRule {
  int samples = 0;
  std::int64_t step = 0;
};

SampleRule sample_rule(const GoldenFile& golden) {
  return SampleRule{golden.metadata_int("samples"), std::stoll(golden.metadata("sample_step"))};
}

std::vector<float> sampled(const Tensor& tensor, const SampleRule& rule) {
  const std::int64_t count = tensor.element_count();
  EXPECT_EQ(std::gcd(rule.step, count), 1) << "the sampling step shares a factor with " << count << " elements";
  const std::int64_t taken = std::min<std::int64_t>(count, rule.samples);
  std::vector<float> values;
  for (std::int64_t index = 0; index < taken; ++index)
    values.push_back(tensor.data<float>()[((index + 1) * rule.step) % count]);
  return values;
}

// The golden's values come from a float64 run of torchvision; noise.<key> is how far torchvision's own float32 run
// lands from them (max over the tensor). Our float32 run sums in other orders (im2col + sgemm, double batch-norm
// statistics), so it may land a few times that far: the bound is kNoiseFactor·noise, plus 1e-5 of the tensor's
// scale (its largest stored value) as a floor for tensors where torch's float32 happened to be nearly exact.
constexpr double kNoiseFactor = 8.0;
// A bound is only worth having if a wrong kernel breaks it: a wrong layer, stride, statistic or backward term moves
// values by O(1) of the scale, and an all-zero gradient by the whole scale. So every bound must stay within 1 % of
// its tensor's scale; the golden maker keeps pre-activations away from ReLU's kink so that float32 allows this.
constexpr double kLargestBoundFraction = 0.01;

void expect_within_noise(const std::vector<float>& actual, const GoldenFile& golden, const std::string& key) {
  const std::vector<float> expected = golden.floats(key);
  double scale = 0.0;
  for (const float value : expected) scale = std::max(scale, static_cast<double>(std::fabs(value)));
  const double noise = golden.floats("noise." + key).front();
  const double bound = kNoiseFactor * noise + 1e-5 * scale;
  EXPECT_GT(scale, 0.0) << key << ": every stored value is zero, so nothing would be checked";
  EXPECT_LE(bound, kLargestBoundFraction * scale)
      << key << ": the bound " << bound << " exceeds 1 % of the scale " << scale << " (float32 noise " << noise
      << "): regenerate the golden better conditioned";
  testing::expect_all_close(actual, expected, bound, 0.0, key);
  if (std::getenv("GENINT_RESNET_GOLDEN_REPORT") != nullptr) {
    double worst = 0.0;
    for (std::size_t index = 0; index < actual.size(); ++index)
      worst = std::max(worst, std::fabs(static_cast<double>(actual[index]) - expected[index]));
    std::printf("%s: error %.3g, bound %.3g (%.2g of scale), torch float32 noise %.3g, scale %.3g\n", key.c_str(),
                worst, bound, bound / scale, noise, scale);
  }
}

// The golden's procedural images, checked against the values the maker stored.
Tensor golden_images(const GoldenFile& golden) {
  const Tensor images = testing::procedural_images(static_cast<std::uint64_t>(golden.metadata_int("images_index")),
                                                   golden.metadata_int("batch"), golden.metadata_int("size"),
                                                   golden.metadata_float("image_bound"));
  const std::vector<float> probes = golden.floats("image_probes");
  std::vector<float> ours = sampled(images, sample_rule(golden));
  ours.resize(probes.size());
  EXPECT_EQ(ours, probes) << "the procedural images differ from the golden maker's";
  return images;
}

// The procedural state, then the batch-norm biases the golden maker placed (placed_bias.*: each ReLU's kink sits in a
// gap of its channel's values, so float32 rounding cannot switch a ReLU that float64 did not).
void fill_golden_state(const ResNet& model, const GoldenFile& golden) {
  testing::fill_procedural(model);
  int placed = 0;
  for (const ResNetTensor& entry : model.state()) {
    if (!golden.contains("placed_bias." + entry.name)) continue;
    const std::vector<float> values = golden.floats("placed_bias." + entry.name);
    ASSERT_EQ(static_cast<std::int64_t>(values.size()), entry.value.element_count()) << entry.name;
    std::copy(values.begin(), values.end(), entry.value.data<float>());
    ++placed;
  }
  EXPECT_GT(placed, 0) << "the golden places no batch-norm bias";
}

std::string joined_state_names(const ResNet& model) {
  std::string names;
  for (const ResNetTensor& entry : model.state()) names += (names.empty() ? "" : ",") + entry.name;
  return names;
}

class ResNetGolden : public ::testing::TestWithParam<std::string> {};

TEST_P(ResNetGolden, MatchesTorchvision) {
  const GoldenFile golden = testing::open_nn_golden(GetParam() + "_procedural");
  ResNet model(ResNetConfig{GetParam(), golden.metadata_int("num_classes"), false});
  ASSERT_EQ(joined_state_names(model), golden.metadata("state_names")) << "state_dict names or order differ";
  fill_golden_state(model, golden);
  const Tensor images = golden_images(golden);
  const std::vector<std::int32_t> labels = golden.file().read<std::int32_t>("labels");
  const SampleRule samples = sample_rule(golden);

  expect_within_noise(values_of(model.forward(images, BatchNormMode::Eval)), golden, "logits_eval");
  expect_within_noise(values_of(model.forward(images, BatchNormMode::Train)), golden, "logits_train");
  const float loss = model.backward(labels.data(), static_cast<int>(labels.size()));
  expect_within_noise({loss}, golden, "loss");

  for (const ResNetTensor& parameter : model.parameters()) {
    expect_within_noise(sampled(parameter.grad, samples), golden, "grad." + parameter.name);
  }
  for (const ResNetTensor& entry : model.state()) {
    if (entry.is_parameter) continue;
    expect_within_noise(sampled(entry.value, samples), golden, "after_train." + entry.name);
  }
  if (!golden.contains("sgd_step.fc.weight")) return;
  SgdOptions options;
  options.momentum = golden.metadata_float("sgd_momentum");
  options.weight_decay = golden.metadata_float("sgd_weight_decay");
  Sgd optimizer(options);
  std::vector<std::vector<float>> before;
  for (const ResNetTensor& parameter : model.parameters()) {
    optimizer.add_parameter(parameter.value, parameter.grad);
    before.push_back(sampled(parameter.value, samples));
  }
  optimizer.step(golden.metadata_float("sgd_lr"));
  // The step's change, not the parameter: a wrong update must not hide under the weight it changes.
  for (std::size_t index = 0; index < model.parameters().size(); ++index) {
    const ResNetTensor& parameter = model.parameters()[index];
    std::vector<float> change = sampled(parameter.value, samples);
    for (std::size_t element = 0; element < change.size(); ++element) change[element] -= before[index][element];
    expect_within_noise(change, golden, "sgd_step." + parameter.name);
  }
}

// resnet20: tools/cifar_resnet.py, He et al.'s CIFAR net built from torchvision's BasicBlock (option-B shortcuts).
INSTANTIATE_TEST_SUITE_P(Torchvision, ResNetGolden, ::testing::Values("resnet18", "resnet50", "resnet20"));

// "A ResNet-18 converted from a random-weight torchvision model gives torchvision's logits": the golden maker saved
// the procedural torchvision state_dict as .pth and converted it with tools/convert_torchvision.py; this rebuilds
// that file, proves it byte-identical (SHA-256), loads it through ResNet::load_safetensors and runs it.
TEST(ResNetGoldenConverted, ConvertedTorchvisionFileGivesTorchvisionLogits) {
  const GoldenFile golden = testing::open_nn_golden("resnet18_procedural");
  const ResNetConfig config{"resnet18", golden.metadata_int("num_classes"), false};
  const ResNet procedural(config);
  fill_golden_state(procedural, golden);
  io::SafetensorsWriter writer;
  const std::vector<std::int64_t> zero_batches{0};
  for (const ResNetTensor& entry : procedural.state()) {
    std::vector<std::uint64_t> shape;
    for (int dimension = 0; dimension < entry.value.rank(); ++dimension)
      shape.push_back(static_cast<std::uint64_t>(entry.value.size(dimension)));
    writer.add_tensor(entry.name, io::SafetensorsDtype::F32, shape, entry.value.raw_data(), entry.value.byte_count());
    if (testing::name_ends_with(entry.name, ".running_var"))
      writer.add(entry.name.substr(0, entry.name.size() - 12) + ".num_batches_tracked", {}, zero_batches);
  }
  writer.set_metadata("architecture", "resnet18");
  writer.set_metadata("num_classes", golden.metadata("num_classes"));
  writer.set_metadata("source", golden.metadata("converted_source"));
  const std::vector<std::uint8_t> bytes = writer.serialize();
  ASSERT_EQ(std::to_string(bytes.size()), golden.metadata("converted_bytes"));
  ASSERT_EQ(testing::sha256_hex(bytes), golden.metadata("converted_sha256"))
      << "the rebuilt file is not the one tools/convert_torchvision.py wrote";

  const testing::TemporaryDirectory directory("resnet_converted");
  const std::string path = directory.file("resnet18_procedural.safetensors");
  writer.write_file(path);
  ResNet loaded(config);
  loaded.load_safetensors(path);
  expect_within_noise(values_of(loaded.forward(golden_images(golden), BatchNormMode::Eval)), golden, "logits_eval");
}

}  // namespace
}  // namespace genint
