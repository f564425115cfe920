// The training loop of genint-train. Resume re-creates the loader from the checkpoint's config and consumes
// (without training) the batches already trained: the C API has no "start at batch" call, and in deterministic
// mode the batch stream is a pure function of the config, so the skipped batches are exactly the trained ones.
#include "examples/trainer/trainer.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <genint.hpp>
#include <nlohmann/json.hpp>
#include <vector>

#include "examples/trainer/checkpoint.h"
#include "examples/trainer/momentum_sgd.h"
#include "examples/trainer/progress_report.h"
#include "examples/trainer/source_weighting.h"
#include "nn/core/device.h"
#include "nn/core/error.h"
#include "nn/core/log.h"
#include "nn/ops/cross_entropy.h"

namespace genint::trainer {
namespace {

ResNetConfig model_config(const TrainerOptions& options) {
  ResNetConfig config;
  config.architecture = options.architecture;
  config.num_classes = options.num_classes;
  config.small_input_stem = options.small_input_stem;
  if (options.device == "cuda") {
    GENINT_CHECK(cuda_backend_built(), "--device cuda: this genint was built without its CUDA backend");
    GENINT_CHECK(cuda_device_count() > 0, "--device cuda: no CUDA device: " + cuda_device_description());
    config.device = Device::Cuda;
    config.bf16 = options.bf16;
  }
  config.validate();
  return config;
}

nlohmann::json describe_schedule(const LearningRateSchedule& schedule) {
  const char* kind = schedule.kind == LearningRateSchedule::Kind::Step     ? "step"
                     : schedule.kind == LearningRateSchedule::Kind::Cosine ? "cosine"
                                                                           : "constant";
  return {{"kind", kind},
          {"base", schedule.base},
          {"gamma", schedule.gamma},
          {"step_epochs", schedule.step_epochs},
          {"total_epochs", schedule.total_epochs},
          {"minimum", schedule.minimum}};
}

std::string checkpoint_folder_name(std::int64_t step) {
  char name[40];
  std::snprintf(name, sizeof name, "step-%09lld", static_cast<long long>(step));
  return name;
}

class TrainingRun {
 public:
  explicit TrainingRun(const TrainerOptions& options);
  TrainingSummary run();

 private:
  std::string resume_folder() const;
  void start_loader();
  double train_step(const genint_batch& batch, double learning_rate, SourceLosses& sources);
  void save_checkpoint();
  std::int64_t steps_remaining(std::uint64_t next_batch_index) const;

  TrainerOptions options_;
  nlohmann::json loader_config_;
  ResNet model_;
  MomentumSgd optimizer_;
  Loader loader_{nullptr};
  std::uint64_t batches_per_epoch_ = 0;
  TrainingPosition position_;
  std::string last_checkpoint_;
  std::vector<float> sample_weights_, sample_losses_, host_logits_;
};

SgdOptions sgd_options(const TrainerOptions& options) {
  SgdOptions sgd;
  sgd.momentum = options.momentum;
  sgd.weight_decay = options.weight_decay;
  sgd.nesterov = options.nesterov;
  return sgd;
}

nlohmann::json parse_loader_config(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw Error(std::string("genint-train: the loader config is not valid JSON: ") + error.what());
  }
}

TrainingRun::TrainingRun(const TrainerOptions& options)
    : options_(options),
      loader_config_(parse_loader_config(options.loader_config_json)),
      model_(model_config(options)),
      optimizer_(model_, sgd_options(options)) {
  options_.validate();
  std::filesystem::create_directories(std::filesystem::path(options_.output_dir) / "checkpoints");
  model_.initialize_kaiming(options_.init_seed);
  if (!options_.resume_from.empty()) {
    const std::string folder = resume_folder();
    const CheckpointState state = read_checkpoint(folder, model_, optimizer_);
    GENINT_CHECK(state.loader_config == loader_config_,
                 "--resume " + folder +
                     ": the loader config differs from the checkpoint's; an exact resume needs "
                     "the same config (seed, sources, batch size)");
    position_ = state.position;
    last_checkpoint_ = folder;
  }
  const auto deterministic = loader_config_.find("deterministic");
  if (deterministic == loader_config_.end() || *deterministic != nlohmann::json(true))
    log_once(LogLevel::Warn, "genint-train-nondeterministic",
             "genint-train: the loader is not in deterministic mode: a resumed run will not repeat the batches");
  start_loader();
}

std::string TrainingRun::resume_folder() const {
  if (options_.resume_from != "latest") return options_.resume_from;
  const std::filesystem::path pointer = std::filesystem::path(options_.output_dir) / "latest-checkpoint";
  std::ifstream file(pointer);
  std::string name;
  GENINT_CHECK(file.good() && std::getline(file, name) && !name.empty(),
               "--resume latest: cannot read '" + pointer.string() + "'");
  return (std::filesystem::path(options_.output_dir) / "checkpoints" / name).string();
}

void TrainingRun::start_loader() {
  loader_ = Loader::from_json(loader_config_.dump());
  const std::int32_t sources = loader_.source_count();
  for (std::int32_t index = 0; index < sources; ++index) {
    const genint_source_stats stats = loader_.source_stats(index);
    if (stats.kind == GENINT_SOURCE_NATURAL) batches_per_epoch_ = stats.batches_per_epoch;
  }
  // Skipping: consume the batches the checkpoint had already trained (see the file comment).
  for (std::uint64_t skipped = 0; skipped < position_.next_batch_index; ++skipped) {
    const BorrowedBatch borrowed(loader_);
    GENINT_CHECK(borrowed.get().index == skipped, "genint-train: the loader handed batch " +
                                                      std::to_string(borrowed.get().index) + " while skipping to " +
                                                      std::to_string(position_.next_batch_index));
  }
}

std::int64_t TrainingRun::steps_remaining(std::uint64_t next_batch_index) const {
  if (batches_per_epoch_ == 0) return -1;
  const auto total = static_cast<std::int64_t>(batches_per_epoch_ * static_cast<std::uint64_t>(options_.epochs));
  std::int64_t remaining = std::max<std::int64_t>(0, total - static_cast<std::int64_t>(next_batch_index));
  if (options_.max_steps > 0) remaining = std::min(remaining, options_.max_steps - position_.step);
  return remaining;
}

double TrainingRun::train_step(const genint_batch& batch, double learning_rate, SourceLosses& sources) {
  const int count = batch.size;
  const auto samples = static_cast<std::size_t>(count);
  const auto classes = static_cast<std::size_t>(options_.num_classes);
  if (sample_weights_.size() < samples) {  // grows once, to the batch size
    sample_weights_.resize(samples);
    sample_losses_.resize(samples);
  }
  check_class_labels(batch.labels, count, options_.num_classes);
  equation1_sample_weights(batch.sources, batch.weights, count, sample_weights_.data());
  const Tensor images =
      batch.layout == GENINT_LAYOUT_FLOAT32_CHW
          ? model_.upload_images(static_cast<const float*>(batch.images), count, batch.image_size, batch.image_size)
          : model_.upload_images(static_cast<const std::uint8_t*>(batch.images), count, batch.image_size,
                                 batch.image_size);
  const Tensor logits = model_.forward(images, BatchNormMode::Train);
  const float* host_logits = nullptr;
  if (model_.device() == Device::Cuda) {
    host_logits_.resize(samples * classes);
    logits.copy_to_host(host_logits_.data(), logits.byte_count());
    host_logits = host_logits_.data();
  } else {
    host_logits = logits.data<float>();
  }
  float logged_loss = 0.0f;  // the unweighted per-sample losses feed the per-source report
  cross_entropy_forward_cpu(host_logits, batch.labels, sample_weights_.data(), count, options_.num_classes,
                            sample_losses_.data(), &logged_loss);
  sources = per_source_losses(batch.sources, sample_losses_.data(), count);
  const float loss = model_.backward(batch.labels, count, sample_weights_.data());
  optimizer_.step(static_cast<float>(learning_rate));
  return loss;
}

void TrainingRun::save_checkpoint() {
  const std::filesystem::path output(options_.output_dir);
  const std::string name = checkpoint_folder_name(position_.step);
  CheckpointState state;
  state.position = position_;
  state.loader_config = loader_config_;
  state.model = describe_model(model_.config());
  state.schedule = describe_schedule(options_.schedule);
  last_checkpoint_ = (output / "checkpoints" / name).string();
  write_checkpoint(last_checkpoint_, model_, optimizer_, state);
  {
    std::ofstream pointer(output / "latest-checkpoint.partial", std::ios::trunc);
    pointer << name << "\n";
  }
  std::filesystem::rename(output / "latest-checkpoint.partial", output / "latest-checkpoint");
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(output / "checkpoints"))
    if (entry.is_directory() && entry.path().filename().string().rfind("step-", 0) == 0)
      folders.push_back(entry.path());
  std::sort(folders.begin(), folders.end());  // zero-padded step numbers sort in step order
  const auto keep = static_cast<std::size_t>(options_.keep_checkpoints);
  for (std::size_t index = 0; index + keep < folders.size(); ++index) std::filesystem::remove_all(folders[index]);
}

TrainingSummary TrainingRun::run() {
  ProgressReport progress((std::filesystem::path(options_.output_dir) / "train-log.jsonl").string(), options_.progress,
                          options_.epochs, options_.log_every_steps);
  double last_loss = 0.0;
  bool saved_current = !last_checkpoint_.empty();
  while (options_.max_steps == 0 || position_.step < options_.max_steps) {
    const BorrowedBatch borrowed(loader_);
    const genint_batch& batch = borrowed.get();
    GENINT_CHECK(batch.index == position_.next_batch_index, "genint-train: expected batch " +
                                                                std::to_string(position_.next_batch_index) + ", got " +
                                                                std::to_string(batch.index));
    if (batch.epoch != position_.epoch) {  // an epoch ended: checkpoint before the new one starts
      position_.epoch = batch.epoch;
      const int every = options_.checkpoint_every_epochs;
      if (every > 0 && batch.epoch % static_cast<std::uint64_t>(every) == 0) {
        save_checkpoint();
        saved_current = true;
      }
    }
    if (batch.epoch >= static_cast<std::uint64_t>(options_.epochs)) break;
    const double learning_rate = options_.schedule.at(static_cast<int>(batch.epoch));
    StepRecord record;
    last_loss = train_step(batch, learning_rate, record.sources);
    position_.step += 1;
    position_.next_batch_index = batch.index + 1;
    position_.learning_rate = learning_rate;
    saved_current = false;
    record.step = position_.step;
    record.epoch = batch.epoch;
    record.batch_index = batch.index;
    record.learning_rate = learning_rate;
    record.loss = last_loss;
    record.steps_remaining = steps_remaining(position_.next_batch_index);
    progress.record_step(record);
    if (options_.checkpoint_every_steps > 0 && position_.step % options_.checkpoint_every_steps == 0) {
      save_checkpoint();
      saved_current = true;
    }
  }
  if (!saved_current) save_checkpoint();
  progress.finish();
  return {position_.step, position_.epoch, last_checkpoint_, last_loss};
}

}  // namespace

TrainingSummary run_training(const TrainerOptions& options) {
  TrainingRun run(options);
  return run.run();
}

}  // namespace genint::trainer
