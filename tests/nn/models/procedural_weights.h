// Tests only: the procedural ResNet state and images of tools/golden/make_resnet_goldens.py, bit for bit: element i
// of the k-th state tensor is low + (high − low)·u in double, u from splitmix64(k·2^32 + i), rounded to float32.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "nn/models/resnet.h"

namespace genint::testing {

inline std::uint64_t splitmix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

inline bool name_ends_with(const std::string& name, const std::string& suffix) {
  return name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0;
}

// (low, high) by the tensor's role, as procedural_range in the Python maker.
inline std::pair<double, double> procedural_range(const std::string& name, const Tensor& tensor,
                                                  std::int64_t fc_in_features) {
  if (tensor.rank() == 4) {
    const double bound = std::sqrt(6.0 / static_cast<double>(tensor.size(0) * tensor.size(2) * tensor.size(3)));
    return {-bound, bound};
  }
  if (name.rfind("fc.", 0) == 0) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fc_in_features));
    return {-bound, bound};
  }
  if (name_ends_with(name, ".running_var") || name_ends_with(name, ".weight")) return {0.5, 1.5};
  return {-0.25, 0.25};
}

// `count` values low + (high − low)·u, u from splitmix64(index·2^32 + element).
inline std::vector<float> procedural_uniform(std::uint64_t index, std::size_t count, double low, double high) {
  std::vector<float> values(count);
  for (std::size_t element = 0; element < count; ++element) {
    const std::uint64_t bits = splitmix64((index << 32) + element) >> 40;
    const double unit = (static_cast<double>(bits) + 0.5) / 16777216.0;
    values[element] = static_cast<float>(low + (high - low) * unit);
  }
  return values;
}

inline std::vector<float> procedural_values(std::size_t index, const std::string& name, const Tensor& tensor,
                                            std::int64_t fc_in_features) {
  const auto [low, high] = procedural_range(name, tensor, fc_in_features);
  return procedural_uniform(index, static_cast<std::size_t>(tensor.element_count()), low, high);
}

// The golden's images: [batch, 3, size, size], uniform in ±bound, from tensor index `index`.
inline Tensor procedural_images(std::uint64_t index, int batch, int size, double bound) {
  const std::vector<float> values =
      procedural_uniform(index, static_cast<std::size_t>(batch) * 3 * size * size, -bound, bound);
  Tensor images = Tensor::empty(Shape{batch, 3, size, size}, DType::Float32, Device::Cpu);
  images.copy_from_host(values.data(), values.size() * sizeof(float));
  return images;
}

// Overwrites every state tensor of `model` (in state_dict order) with its procedural values.
inline void fill_procedural(const ResNet& model) {
  const std::int64_t fc_in = model.find("fc.weight").value.size(1);
  for (std::size_t index = 0; index < model.state().size(); ++index) {
    const ResNetTensor& entry = model.state()[index];
    const std::vector<float> values = procedural_values(index, entry.name, entry.value, fc_in);
    std::copy(values.begin(), values.end(), entry.value.data<float>());
  }
}

}  // namespace genint::testing
