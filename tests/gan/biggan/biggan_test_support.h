// Shared by the BigGAN tests that run a random model (CPU and CUDA): inputs of one one-hot class per sample with
// constant latents, and the check that images are tanh outputs.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "gan/biggan/biggan_generator.h"

namespace genint::testing {

// Sample s has latents all `latent_value` and class vector one-hot at classes[s]; truncation stays 1.
class OneHotBatch {
 public:
  OneHotBatch(const BigGanConfig& config, const std::vector<int>& classes, float latent_value)
      : batch_(static_cast<int>(classes.size())),
        latents_(classes.size() * static_cast<std::size_t>(config.z_dim), latent_value),
        class_vectors_(classes.size() * static_cast<std::size_t>(config.num_classes), 0.0f) {
    for (std::size_t sample = 0; sample < classes.size(); ++sample)
      class_vectors_[sample * static_cast<std::size_t>(config.num_classes) +
                     static_cast<std::size_t>(classes[sample])] = 1.0f;
  }

  int batch() const { return batch_; }
  // Points into this object: valid while it lives.
  BigGanInputs inputs() const {
    BigGanInputs result;
    result.latents = latents_.data();
    result.class_vectors = class_vectors_.data();
    return result;
  }

 private:
  int batch_;
  std::vector<float> latents_, class_vectors_;
};

// Every value a tanh output: within [−1, 1] (a NaN is not).
inline bool within_tanh_range(const std::vector<float>& images) {
  return std::all_of(images.begin(), images.end(), [](float value) { return std::fabs(value) <= 1.0f; });
}

}  // namespace genint::testing
