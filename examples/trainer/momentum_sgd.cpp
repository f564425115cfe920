// genint-train's optimiser: torch.optim.SGD's update through nn/optim, with momentum buffers that travel in
// checkpoints (safetensors) so that resuming does not restart momentum from zero.
#include "examples/trainer/momentum_sgd.h"

#include <algorithm>
#include <optional>

#include "nn/core/error.h"
#include "nn/core/parse_number.h"
#include "nn/safetensors/safetensors_reader.h"
#include "nn/safetensors/safetensors_writer.h"

namespace genint::trainer {

MomentumSgd::MomentumSgd(ResNet& model, const SgdOptions& options) : model_(model), options_(options) {
  options_.validate();
  std::size_t largest = 0;
  for (const ResNetTensor& parameter : model_.parameters()) {
    momentum_.push_back(Tensor::zeros(parameter.value.shape(), DType::Float32, model_.device()));
    largest = std::max(largest, static_cast<std::size_t>(parameter.value.element_count()));
  }
  host_scratch_.resize(largest);
}

void MomentumSgd::step(float learning_rate) {
  const bool first_step = steps_taken_ == 0;
  const std::vector<ResNetTensor>& parameters = model_.parameters();
  for (std::size_t index = 0; index < parameters.size(); ++index) {
    const ResNetTensor& parameter = parameters[index];
    float* momentum = options_.momentum > 0.0f ? momentum_[index].data<float>() : nullptr;
    sgd_step(OpTarget{model_.device(), model_.config().stream}, options_, learning_rate,
             parameter.value.element_count(), parameter.value.data<float>(), parameter.grad.data<float>(), momentum,
             first_step);
  }
  ++steps_taken_;
}

void MomentumSgd::save(const std::string& path) const {
  io::SafetensorsWriter writer;
  const std::vector<ResNetTensor>& parameters = model_.parameters();
  std::vector<float> host;
  for (std::size_t index = 0; index < parameters.size(); ++index) {
    const Tensor& buffer = momentum_[index];
    host.resize(static_cast<std::size_t>(buffer.element_count()));
    buffer.copy_to_host(host.data(), buffer.byte_count());
    std::vector<std::uint64_t> shape;
    for (int dimension = 0; dimension < buffer.rank(); ++dimension)
      shape.push_back(static_cast<std::uint64_t>(buffer.size(dimension)));
    writer.add("momentum." + parameters[index].name, shape, host);
  }
  writer.set_metadata("steps_taken", std::to_string(steps_taken_));
  writer.set_metadata("source", "genint-train");
  writer.write_file(path);
}

void MomentumSgd::load(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const std::vector<ResNetTensor>& parameters = model_.parameters();
  GENINT_CHECK(file.tensor_count() == parameters.size(), path + ": holds " + std::to_string(file.tensor_count()) +
                                                             " momentum buffers, the model has " +
                                                             std::to_string(parameters.size()) + " parameters");
  for (std::size_t index = 0; index < parameters.size(); ++index) {
    const std::string name = "momentum." + parameters[index].name;
    const std::size_t count = static_cast<std::size_t>(momentum_[index].element_count());
    GENINT_CHECK(file.tensor(name).element_count == count, path + ": " + name + " has the wrong size");
    file.read_into(name, host_scratch_.data(), count);
    momentum_[index].copy_from_host(host_scratch_.data(), momentum_[index].byte_count());
  }
  const auto steps = file.metadata().find("steps_taken");
  GENINT_CHECK(steps != file.metadata().end(), path + ": metadata has no steps_taken");
  const std::optional<std::int64_t> steps_taken = parse_integer(steps->second);
  GENINT_CHECK(steps_taken.has_value() && *steps_taken >= 0,
               path + ": metadata steps_taken is not a step count: \"" + steps->second + "\"");
  steps_taken_ = *steps_taken;
}

}  // namespace genint::trainer
