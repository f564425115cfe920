// Generative interventions I(t, k, s) (paper §4.2): truncation t, a direction j uniform among the top k, a step
// s' ~ U[−s, s], drawn identically for every class; plus the observational sampler (no intervention).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gan/biggan/biggan_config.h"
#include "gan/biggan/biggan_generator.h"
#include "gan/directions/direction_set.h"

namespace genint {

// Values are recorded in genint_intervention.space, so they never change.
enum class InterventionSpace : std::int32_t {
  Observational = 0,      // plain samples: the GAN-augmentation baseline (t = 0.2 in the paper)
  Latent = 1,             // z* = z + σ_j s' r_j on the chosen per-layer latents (σ_j: latent stdev, 1 in z space)
  LatentCentred = 2,      // GANSpace: z* = z − ((z − μ_z)·r_j) r_j + r_j σ_j s' (the coordinate is replaced)
  Activation = 3,         // GANSpace activation mode: h* = h + σ_j s' r_j at the directions' layer
  ActivationCentred = 4,  // paper §4.2: h* = h + σ_j s' r_j − μ, μ = ((h − m)·r_j) r_j the centring offset
};
const char* intervention_space_name(InterventionSpace space);
InterventionSpace parse_intervention_space(const std::string& name);  // the names above, snake_case
// Whether a space edits the per-layer latents, or activations inside the forward (through a hook).
inline bool is_latent_space(InterventionSpace space) {
  return space == InterventionSpace::Latent || space == InterventionSpace::LatentCentred;
}
inline bool is_activation_space(InterventionSpace space) {
  return space == InterventionSpace::Activation || space == InterventionSpace::ActivationCentred;
}

struct InterventionOptions {
  InterventionSpace space = InterventionSpace::Latent;
  double truncation = 1.0;  // t: z = truncated normal in [−2, 2] times t; also the generator's truncation
  int top_k = 60;           // k: j uniform in [0, k)
  double step_range = 1.0;  // s: s' uniform in [−s, s], in units of σ_j
  // Latent spaces: per-layer latents [layer_begin, layer_end) are edited (0 feeds gen_z, b + 1 GenBlock b);
  // layer_end −1 means through the last. The paper's code edits all of them.
  int layer_begin = 0;
  int layer_end = -1;
  std::vector<int> classes;  // classes drawn uniformly when the caller does not fix one; empty: all
};

// Everything needed to regenerate one sample; mirrors genint_intervention in loader/genint.h.
struct InterventionRecord {
  std::int32_t class_index = -1;
  std::uint64_t seed = 0;  // per-sample seed: z = truncated_normal(seed) · t; class and (j, s') from its streams
  float truncation = 1.0f;
  InterventionSpace space = InterventionSpace::Observational;
  // Latent spaces: the edited per-layer latents. Activation spaces: the edited module (0 = generator.gen_z,
  // i + 1 = generator.layers.i), end = begin + 1. Observational: 0, 0.
  std::int32_t layer_begin = 0;
  std::int32_t layer_end = 0;
  std::int32_t direction = -1;  // j; −1 when observational
  float step = 0.0f;            // s'
};

// A batch ready for BigGanGenerator::forward: pass generator_inputs(), and for activation spaces set
// InterventionSampler::activation_hook(batch) on the generator for the duration of the forward.
struct InterventionBatch {
  int size = 0;
  int latent_dimension = 0;
  int latent_count = 0;
  int class_count = 0;
  std::vector<float> latents;        // [size, z_dim]: the sampled z, before any edit
  std::vector<float> layer_latents;  // latent spaces: [latent_count, size, z_dim], edited where the range says
  std::vector<float> class_vectors;  // [size, num_classes], one-hot
  std::vector<InterventionRecord> records;
  double truncation = 1.0;
};
BigGanInputs generator_inputs(const InterventionBatch& batch);

class InterventionSampler {
 public:
  // `directions` must outlive the sampler; it may be null only for the observational space. Throws
  // genint::Error when the options do not fit the generator or the directions (k, layer range, classes…).
  InterventionSampler(const BigGanConfig& config, const DirectionSet* directions, InterventionOptions options);

  const InterventionOptions& options() const { return options_; }
  const std::vector<int>& classes() const { return classes_; }  // the classes drawn: the options', or all

  // Sizes `batch` for up to max_batch samples, so sample() never allocates.
  void reserve(int max_batch, InterventionBatch& batch) const;
  // The record of one sample: class from the seed's class stream, or the caller's class.
  InterventionRecord draw(std::uint64_t seed) const;
  InterventionRecord draw(std::uint64_t seed, int class_index) const;
  // Fills `batch` for `count` samples; `classes` (optional, [count]) fixes their classes.
  void sample(const std::uint64_t* seeds, const int* classes, int count, InterventionBatch& batch) const;

  // z → z* for one latent vector (latent spaces; a copy for the others).
  void edit_latent(const InterventionRecord& record, const float* latent, float* edited) const;
  // One sample's activation features [D] edited in place (activation spaces).
  void edit_activation(const InterventionRecord& record, float* features) const;
  // Applies edit_activation to every sample of `batch` when the generator emits the directions' layer.
  BigGanActivationHook activation_hook(const InterventionBatch& batch) const;

 private:
  void fill_sample(int row, const InterventionRecord& record, InterventionBatch& batch) const;

  BigGanConfig config_;
  const DirectionSet* directions_;
  InterventionOptions options_;
  std::vector<int> classes_;
  int activation_layer_index_ = 0;
};

// The latent index numbering of an activation name: "generator.gen_z" → 0, "generator.layers.i" → i + 1.
int activation_layer_index(const std::string& layer);

}  // namespace genint
