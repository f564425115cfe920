// Draws and applies interventions. (j, s') come only from the seed's intervention stream, never from the
// class, so nuisance edits are independent of the label by construction (the paper's Theorem 1 condition).
#include "gan/interventions/intervention_sampler.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <string>
#include <utility>

#include "gan/directions/seed_streams.h"
#include "gan/sampling/truncated_normal.h"
#include "nn/core/error.h"
#include "nn/core/parse_number.h"

namespace genint {
namespace {

std::size_t product(int rows, int columns) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns);
}

constexpr float kLatentBound = 2.0f;  // pytorch-pretrained-biggan's truncnorm(-2, 2)

// x ← x + (offset − c)·d in double, c = (x − mean)·d where a centring mean is given, else 0.
void move_along_direction(float* values, int dimension, const float* direction, const float* mean, double offset) {
  double coordinate = 0.0;
  if (mean != nullptr)
    for (int index = 0; index < dimension; ++index)
      coordinate += (static_cast<double>(values[index]) - mean[index]) * direction[index];
  for (int index = 0; index < dimension; ++index)
    values[index] = static_cast<float>(values[index] + (offset - coordinate) * direction[index]);
}

// Uniform double in [0, 1) from the top 53 bits: exact and identical on every platform, unlike
// std::uniform_real_distribution whose algorithm the standard leaves open.
double unit_interval(std::uint64_t bits) {
  return static_cast<double>(bits >> 11) * (1.0 / 9007199254740992.0);
}

const char* const kSpaceNames[] = {"observational", "latent", "latent_centred", "activation", "activation_centred"};

}  // namespace

const char* intervention_space_name(InterventionSpace space) {
  return kSpaceNames[static_cast<std::size_t>(space)];
}

InterventionSpace parse_intervention_space(const std::string& name) {
  for (std::size_t index = 0; index < std::size(kSpaceNames); ++index) {
    if (name == kSpaceNames[index]) return static_cast<InterventionSpace>(index);
  }
  throw Error("unknown intervention space \"" + name +
              "\" (observational, latent, latent_centred, activation, activation_centred)");
}

int activation_layer_index(const std::string& layer) {
  if (layer == "generator.gen_z") return 0;
  const std::string prefix = "generator.layers.";
  const std::optional<std::uint64_t> index = layer.compare(0, prefix.size(), prefix) == 0
                                                 ? parse_unsigned(std::string_view(layer).substr(prefix.size()))
                                                 : std::nullopt;
  GENINT_CHECK(index && *index < 10000,
               "activation layer \"" + layer + "\" is neither generator.gen_z nor generator.layers.<index>");
  return static_cast<int>(*index) + 1;
}

BigGanInputs generator_inputs(const InterventionBatch& batch) {
  const float* layer_latents = batch.layer_latents.empty() ? nullptr : batch.layer_latents.data();
  return {batch.latents.data(), layer_latents, batch.class_vectors.data(), batch.truncation};
}

InterventionSampler::InterventionSampler(const BigGanConfig& config, const DirectionSet* directions,
                                         InterventionOptions options)
    : config_(config), directions_(directions), options_(std::move(options)) {
  GENINT_CHECK(options_.truncation > 0.0 && options_.truncation <= 1.0,
               "interventions: truncation " + std::to_string(options_.truncation) + " is outside (0, 1]");
  if (options_.layer_end < 0) options_.layer_end = config_.latent_count();
  classes_ = options_.classes;
  if (classes_.empty()) {
    for (int index = 0; index < config_.num_classes; ++index) classes_.push_back(index);
  }
  for (int value : classes_) {
    GENINT_CHECK(value >= 0 && value < config_.num_classes, "interventions: class " + std::to_string(value) +
                                                                " is outside [0, " +
                                                                std::to_string(config_.num_classes) + ")");
  }
  if (options_.space == InterventionSpace::Observational) return;
  GENINT_CHECK(directions_ != nullptr,
               std::string("interventions: space ") + intervention_space_name(options_.space) + " needs directions");
  GENINT_CHECK(options_.top_k >= 1 && options_.top_k <= directions_->components,
               "interventions: top_k " + std::to_string(options_.top_k) + " is outside [1, " +
                   std::to_string(directions_->components) + "] (the directions file's components)");
  GENINT_CHECK(std::isfinite(options_.step_range) && options_.step_range >= 0.0,
               "interventions: step range s must be a finite non-negative number");
  GENINT_CHECK(directions_->latent_dimension == config_.z_dim,
               "interventions: directions have latent dimension " + std::to_string(directions_->latent_dimension) +
                   ", the generator's z_dim is " + std::to_string(config_.z_dim));
  if (is_latent_space(options_.space)) {
    GENINT_CHECK(options_.layer_begin >= 0 && options_.layer_begin < options_.layer_end &&
                     options_.layer_end <= config_.latent_count(),
                 "interventions: latent layer range [" + std::to_string(options_.layer_begin) + ", " +
                     std::to_string(options_.layer_end) + ") is not inside [0, " +
                     std::to_string(config_.latent_count()) + ")");
  } else {
    activation_layer_index_ = activation_layer_index(directions_->layer);
  }
}

void InterventionSampler::reserve(int max_batch, InterventionBatch& batch) const {
  GENINT_CHECK(max_batch >= 1, "interventions: reserve needs a positive batch");
  batch.latents.reserve(product(max_batch, config_.z_dim));
  batch.class_vectors.reserve(product(max_batch, config_.num_classes));
  batch.records.reserve(static_cast<std::size_t>(max_batch));
  if (is_latent_space(options_.space))
    batch.layer_latents.reserve(product(config_.latent_count(), max_batch) * static_cast<std::size_t>(config_.z_dim));
}

InterventionRecord InterventionSampler::draw(std::uint64_t seed) const {
  const std::uint64_t pick = derive_seed(seed, SeedStream::Class) % classes_.size();
  return draw(seed, classes_[static_cast<std::size_t>(pick)]);
}

InterventionRecord InterventionSampler::draw(std::uint64_t seed, int class_index) const {
  GENINT_CHECK(class_index >= 0 && class_index < config_.num_classes,
               "interventions: class " + std::to_string(class_index) + " is outside the generator's classes");
  InterventionRecord record;
  record.class_index = class_index;
  record.seed = seed;
  record.truncation = static_cast<float>(options_.truncation);
  record.space = options_.space;
  if (options_.space == InterventionSpace::Observational) return record;
  const std::uint64_t stream = derive_seed(seed, SeedStream::Intervention);
  // k ≤ a few hundred: the modulo bias of a 64-bit draw is below 2^-55.
  record.direction = static_cast<std::int32_t>(derive_seed(stream, 1) % static_cast<std::uint64_t>(options_.top_k));
  record.step = static_cast<float>(options_.step_range * (2.0 * unit_interval(derive_seed(stream, 2)) - 1.0));
  if (is_latent_space(options_.space)) {
    record.layer_begin = options_.layer_begin;
    record.layer_end = options_.layer_end;
  } else {
    record.layer_begin = activation_layer_index_;
    record.layer_end = activation_layer_index_ + 1;
  }
  return record;
}

void InterventionSampler::sample(const std::uint64_t* seeds, const int* classes, int count,
                                 InterventionBatch& batch) const {
  GENINT_CHECK(seeds != nullptr && count >= 1, "interventions: sample needs seeds for at least one sample");
  batch.size = count;
  batch.latent_dimension = config_.z_dim;
  batch.latent_count = config_.latent_count();
  batch.class_count = config_.num_classes;
  batch.truncation = options_.truncation;
  batch.latents.resize(product(count, config_.z_dim));
  batch.class_vectors.assign(product(count, config_.num_classes), 0.0f);
  batch.records.resize(static_cast<std::size_t>(count));
  if (is_latent_space(options_.space)) {
    batch.layer_latents.resize(product(config_.latent_count(), count) * static_cast<std::size_t>(config_.z_dim));
  } else {
    batch.layer_latents.clear();
  }
  for (int row = 0; row < count; ++row) {
    const InterventionRecord record = classes != nullptr ? draw(seeds[row], classes[row]) : draw(seeds[row]);
    batch.records[static_cast<std::size_t>(row)] = record;
    fill_sample(row, record, batch);
  }
}

void InterventionSampler::fill_sample(int row, const InterventionRecord& record, InterventionBatch& batch) const {
  const int z_dim = config_.z_dim;
  float* latent = batch.latents.data() + product(row, z_dim);
  truncated_normal(record.seed, z_dim, kLatentBound, latent);
  // float × float as biggan_latents() does, so a recorded seed regenerates this z bit for bit.
  const auto truncation = static_cast<float>(options_.truncation);
  for (int index = 0; index < z_dim; ++index) latent[index] *= truncation;
  batch.class_vectors[product(row, config_.num_classes) + static_cast<std::size_t>(record.class_index)] = 1.0f;
  if (!is_latent_space(options_.space)) return;
  for (int layer = 0; layer < batch.latent_count; ++layer) {
    float* target = batch.layer_latents.data() +
                    (product(layer, batch.size) + static_cast<std::size_t>(row)) * static_cast<std::size_t>(z_dim);
    if (layer >= record.layer_begin && layer < record.layer_end) {
      edit_latent(record, latent, target);
    } else {
      std::copy_n(latent, z_dim, target);
    }
  }
}

void InterventionSampler::edit_latent(const InterventionRecord& record, const float* latent, float* edited) const {
  std::copy_n(latent, config_.z_dim, edited);
  if (!is_latent_space(record.space)) return;
  move_along_direction(
      edited, config_.z_dim, directions_->latent_direction(record.direction),
      record.space == InterventionSpace::LatentCentred ? directions_->latent_mean.data() : nullptr,
      static_cast<double>(directions_->latent_stdevs[static_cast<std::size_t>(record.direction)]) * record.step);
}

void InterventionSampler::edit_activation(const InterventionRecord& record, float* features) const {
  if (!is_activation_space(record.space)) return;
  move_along_direction(
      features, directions_->activation_dimension, directions_->activation_direction(record.direction),
      record.space == InterventionSpace::ActivationCentred ? directions_->mean.data() : nullptr,
      static_cast<double>(directions_->stdevs[static_cast<std::size_t>(record.direction)]) * record.step);
}

BigGanActivationHook InterventionSampler::activation_hook(const InterventionBatch& batch) const {
  GENINT_CHECK(is_activation_space(options_.space), "interventions: an activation hook needs an activation space");
  return [this, &batch](const BigGanActivation& activation) {
    if (*activation.name != directions_->layer) return;
    const int features = activation.channels * activation.height * activation.width;
    GENINT_CHECK(features == directions_->activation_dimension,
                 "interventions: " + directions_->layer + " has " + std::to_string(features) +
                     " features per sample, the directions " + std::to_string(directions_->activation_dimension));
    GENINT_CHECK(activation.batch == batch.size, "interventions: the generator's batch of " +
                                                     std::to_string(activation.batch) +
                                                     " is not the intervention batch of " + std::to_string(batch.size));
    for (int row = 0; row < batch.size; ++row) {
      edit_activation(batch.records[static_cast<std::size_t>(row)], activation.data + product(row, features));
    }
  };
}

}  // namespace genint
