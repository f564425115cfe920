// genint-train checkpoints: a folder with model.safetensors (weights and running statistics),
// optimizer.safetensors (momentum buffers) and state.json (position, schedule, loader config and seed).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "examples/trainer/momentum_sgd.h"
#include "nn/models/resnet.h"

namespace genint::trainer {

// Where training stands: `step` steps are done; the next step trains the loader's batch `next_batch_index`
// (0-based, counted from the loader's creation), which belongs to natural epoch `epoch`.
struct TrainingPosition {
  std::int64_t step = 0;
  std::uint64_t epoch = 0;
  std::uint64_t next_batch_index = 0;
  double learning_rate = 0.0;  // of the last step taken (for the record; the schedule recomputes it)
};

struct CheckpointState {
  TrainingPosition position;
  nlohmann::json loader_config;  // the exact config the loader was created from
  nlohmann::json model;          // architecture, num_classes, small_input_stem
  nlohmann::json schedule;       // kind, base, gamma, step_epochs, total_epochs, minimum
};

// The suffix of a checkpoint folder being written; such folders are never complete checkpoints.
constexpr const char* kPartialSuffix = ".partial";

// Writes `folder`: everything into `folder` + kPartialSuffix (files written atomically, state.json last), then
// that folder renamed to `folder`, so `folder` exists only complete.
void write_checkpoint(const std::string& folder, const ResNet& model, const MomentumSgd& optimizer,
                      const CheckpointState& state);
// Reads state.json, then loads the weights into `model` and the buffers into `optimizer`. Throws genint::Error
// naming the file when something is missing or the model description differs from `model`'s.
CheckpointState read_checkpoint(const std::string& folder, ResNet& model, MomentumSgd& optimizer);

// The JSON describing a model and a schedule, as stored in state.json (also used to check a resume).
nlohmann::json describe_model(const ResNetConfig& config);

}  // namespace genint::trainer
