// ResNet weights: torchvision's seeded initialisation and safetensors load/save under the state_dict names.
// Loading is strict like torch's load_state_dict: every name and shape must match, the first mismatch is named.
// A CUDA model's tensors go through host staging copies (once per call, never in a training step).
#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "nn/core/error.h"
#include "nn/models/resnet.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint {
namespace {

bool ends_with(const std::string& text, const std::string& suffix) {
  return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

std::vector<std::uint64_t> shape_of(const Tensor& tensor) {
  std::vector<std::uint64_t> shape;
  for (int dimension = 0; dimension < tensor.rank(); ++dimension)
    shape.push_back(static_cast<std::uint64_t>(tensor.size(dimension)));
  return shape;
}

const char* const kBatchesTrackedSuffix = ".num_batches_tracked";

// The host tensor an initialiser or loader writes: the entry itself on the CPU, a staging copy otherwise.
Tensor host_target(const Tensor& value) {
  return value.device() == Device::Cpu ? value : Tensor::empty(value.shape(), DType::Float32, Device::Cpu);
}

// Moves what was written into host_target(value) to value (nothing to do on the CPU).
void commit(const Tensor& value, const Tensor& host) {
  if (value.device() == Device::Cpu) return;
  Tensor destination = value;
  destination.copy_from(host);
}

}  // namespace

void ResNet::initialize_kaiming(std::uint64_t seed) {
  std::mt19937_64 generator(seed);
  for (const ResNetTensor& entry : state_) {
    const Tensor value = host_target(entry.value);
    float* data = value.data<float>();
    if (value.rank() == 4) {
      // kaiming_normal_(mode="fan_out", nonlinearity="relu"): std = sqrt(2 / (out_channels · kernel area)).
      const double fan_out = static_cast<double>(value.size(0) * value.size(2) * value.size(3));
      std::normal_distribution<float> normal(0.0f, static_cast<float>(std::sqrt(2.0 / fan_out)));
      for (std::int64_t index = 0; index < value.element_count(); ++index) data[index] = normal(generator);
    } else if (entry.name == "fc.weight" || entry.name == "fc.bias") {
      // nn.Linear's reset_parameters: kaiming_uniform_(a=√5) for the weight gives ±1/√fan_in, as does the bias.
      const float bound = static_cast<float>(1.0 / std::sqrt(static_cast<double>(find("fc.weight").value.size(1))));
      std::uniform_real_distribution<float> uniform(-bound, bound);
      for (std::int64_t index = 0; index < value.element_count(); ++index) data[index] = uniform(generator);
    } else if (ends_with(entry.name, ".weight") || ends_with(entry.name, ".running_var")) {
      std::fill_n(data, value.element_count(), 1.0f);
    } else {
      std::fill_n(data, value.element_count(), 0.0f);  // batch-norm bias and running_mean
    }
    commit(entry.value, value);
  }
  for (const ResNetTensor& entry : parameters_) {
    Tensor grad = entry.grad;
    grad.fill_zero();
  }
  num_batches_tracked_ = 0;
}

void ResNet::load_safetensors(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  std::set<std::string> expected;
  for (const ResNetTensor& entry : state_) {
    expected.insert(entry.name);
    file.expect_shape(entry.name, shape_of(entry.value), config_.architecture);
  }
  for (const std::string& name : file.names()) {
    if (ends_with(name, kBatchesTrackedSuffix)) continue;
    GENINT_CHECK(expected.count(name) != 0, path + ": tensor '" + name + "' is not part of " + config_.architecture +
                                                " (num_classes " + std::to_string(config_.num_classes) + ")");
  }
  // Only after every check: a refused file leaves the model as it was.
  for (const ResNetTensor& entry : state_) {
    const Tensor value = host_target(entry.value);
    file.read_as_float_into(entry.name, value.data<float>(), static_cast<std::size_t>(value.element_count()));
    commit(entry.value, value);
  }
  const std::string tracked = std::string("bn1") + kBatchesTrackedSuffix;
  if (file.contains(tracked) && file.tensor(tracked).dtype == io::SafetensorsDtype::I64 &&
      file.tensor(tracked).element_count == 1) {
    num_batches_tracked_ = file.read<std::int64_t>(tracked).front();
  }
}

void ResNet::save_safetensors(const std::string& path) const {
  io::SafetensorsWriter writer;
  const std::vector<std::int64_t> batches_tracked{num_batches_tracked_};
  std::vector<Tensor> host_copies;  // the writer reads the bytes at write_file, so they live until then
  host_copies.reserve(state_.size());
  for (const ResNetTensor& entry : state_) {
    host_copies.push_back(host_target(entry.value));
    if (entry.value.device() != Device::Cpu) host_copies.back().copy_from(entry.value);
    writer.add_tensor(entry.name, io::SafetensorsDtype::F32, shape_of(entry.value), host_copies.back().raw_data(),
                      entry.value.byte_count());
    if (ends_with(entry.name, ".running_var")) {
      // torch keeps a 0-dim int64 counter next to each batch norm's running statistics.
      const std::string prefix = entry.name.substr(0, entry.name.size() - std::string(".running_var").size());
      writer.add(prefix + kBatchesTrackedSuffix, {}, batches_tracked);
    }
  }
  writer.set_metadata("architecture", config_.architecture);
  writer.set_metadata("num_classes", std::to_string(config_.num_classes));
  writer.set_metadata("small_input_stem", config_.small_input_stem ? "true" : "false");
  writer.set_metadata("source", "genint");
  writer.write_file(path);
}

}  // namespace genint
