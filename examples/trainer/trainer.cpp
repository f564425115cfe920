// The training loop of genint-train. Resume re-creates the loader from the checkpoint's config and consumes
// (without training) the batches already trained: the C API has no "start at batch" call, and in deterministic
// mode the batch stream is a pure function of the config, so the skipped batches are exactly the trained ones.
// On CUDA the run holds the loader's output device current and trains on a non-blocking stream of its own, fed
// by the loader's device output; one step stays in flight while the next batch is fetched and queued.
// Validation (--val-data) runs right after the step that ends an epoch, with no step in flight; it reads the model in
// eval mode only (no parameter, running statistic or loader state changes), so training is the same without it.
#include "examples/trainer/trainer.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <genint.hpp>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "examples/trainer/checkpoint.h"
#include "examples/trainer/momentum_sgd.h"
#include "examples/trainer/progress_report.h"
#include "examples/trainer/skip_monitor.h"
#include "examples/trainer/stop_signals.h"
#include "examples/trainer/training_step.h"
#include "nn/core/cuda_stream.h"
#include "nn/core/device.h"
#include "nn/core/device_buffer.h"
#include "nn/core/error.h"
#include "nn/core/log.h"

namespace genint::trainer {
namespace {

nlohmann::json parse_loader_config(const std::string& text) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& error) {
    throw Error(std::string("genint-train: the loader config is not valid JSON: ") + error.what());
  }
}

// The loader config the run creates its loader from. --device cuda takes its batches from the loader's device
// output, so "output" is set to it when the config leaves it out.
nlohmann::json run_loader_config(const TrainerOptions& options) {
  nlohmann::json config = parse_loader_config(options.loader_config_json);
  if (options.device != "cuda") return config;
  GENINT_CHECK(config.is_object(), "genint-train: the loader config must be a JSON object");
  if (!config.contains("output")) config["output"] = {{"device", "cuda"}, {"device_index", 0}};
  const nlohmann::json& output = config["output"];
  GENINT_CHECK(output.is_object() && output.contains("device") && output["device"] == "cuda",
               "--device cuda trains on the loader's device output: set the loader config's \"output\" to "
               "{\"device\": \"cuda\"} or leave it out");
  return config;
}

// The loader's output device ("output.device_index", 0 when absent; the loader checks the value).
int output_device_index(const nlohmann::json& loader_config) {
  const nlohmann::json& output = loader_config["output"];
  const auto index = output.find("device_index");
  return index != output.end() && index->is_number_integer() ? index->get<int>() : 0;
}

// Where batches are delivered does not change which batches come: a resume compares the configs without it.
nlohmann::json without_output(nlohmann::json config) {
  if (config.is_object()) config.erase("output");
  return config;
}

// CUDA: the loader's output device is the thread's current device for the whole run (the model, its stream and
// the step's buffers live there), and the run trains on a non-blocking stream of its own.
struct CudaPlacement {
  std::optional<CurrentDeviceScope> device;
  CudaStream stream;
  explicit CudaPlacement(const TrainerOptions& options, const nlohmann::json& loader_config) {
    if (options.device != "cuda") return;
    GENINT_CHECK(cuda_backend_built(), "--device cuda: this genint was built without its CUDA backend");
    GENINT_CHECK(cuda_device_count() > 0, "--device cuda: no CUDA device: " + cuda_device_description());
    const int index = output_device_index(loader_config);
    stream = CudaStream(index);  // first: it names a device that does not exist
    device.emplace(index);
  }
};

ResNetConfig model_config(const TrainerOptions& options, const CudaPlacement& placement) {
  ResNetConfig config;
  config.architecture = options.architecture;
  config.num_classes = options.num_classes;
  config.small_input_stem = options.small_input_stem;
  if (options.device == "cuda") {
    config.device = Device::Cuda;
    config.bf16 = options.bf16;
    config.stream = placement.stream.get();
    // Exact resume is this trainer's promise: without it cuDNN may pick atomics-based backward algorithms, whose
    // sums differ in rounding from run to run.
    config.deterministic = true;
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

std::optional<EpochValidation> make_validation(const TrainerOptions& options, const nlohmann::json& loader_config) {
  if (options.val_data.empty() || options.val_every_epochs == 0) return std::nullopt;
  return std::optional<EpochValidation>(std::in_place, options, loader_config);
}

class TrainingRun {
 public:
  explicit TrainingRun(const TrainerOptions& options);
  TrainingSummary run();

 private:
  std::string resume_folder() const;
  void start_loader();
  // Records the outcomes of the oldest steps in flight (waiting for them) until `leave_in_flight` are left; with 0
  // the model state is the last submitted step's.
  void collect_steps(int leave_in_flight, ProgressReport& progress);
  void save_checkpoint(ProgressReport& progress);
  std::int64_t steps_remaining(std::uint64_t next_batch_index) const;
  TrainingSummary summarize(const ProgressReport& progress, int stopped_by, const std::string& skip_error) const;
  // After a step: when it ended an epoch that is due, finishes the steps in flight and scores --val-data.
  void validate_if_epoch_ended(ProgressReport& progress);

  TrainerOptions options_;
  nlohmann::json loader_config_;
  std::optional<EpochValidation> validation_;  // before the model and the loader: a bad --val-data stops the run first
  ValidationCurve curve_;
  CudaPlacement placement_;
  ResNet model_;
  MomentumSgd optimizer_;
  Loader loader_{nullptr};
  std::optional<SkipMonitor> skips_;
  std::optional<TrainingStep> step_;
  std::uint64_t batches_per_epoch_ = 0;
  int batch_size_ = 0;
  TrainingPosition position_;
  std::string last_checkpoint_;
  std::vector<StepRecord> in_flight_;  // the records of submitted steps, oldest first, waiting for their outcome
  double last_loss_ = 0.0;
};

SgdOptions sgd_options(const TrainerOptions& options) {
  SgdOptions sgd;
  sgd.momentum = options.momentum;
  sgd.weight_decay = options.weight_decay;
  sgd.nesterov = options.nesterov;
  return sgd;
}

TrainingRun::TrainingRun(const TrainerOptions& options)
    : options_(options),
      loader_config_(run_loader_config(options)),
      validation_(make_validation(options, loader_config_)),
      placement_(options, loader_config_),
      model_(model_config(options, placement_)),
      optimizer_(model_, sgd_options(options)) {
  options_.validate();
  std::filesystem::create_directories(std::filesystem::path(options_.output_dir) / "checkpoints");
  model_.initialize_kaiming(options_.init_seed);
  if (!options_.resume_from.empty()) {
    const std::string folder = resume_folder();
    const CheckpointState state = read_checkpoint(folder, model_, optimizer_);
    GENINT_CHECK(without_output(state.loader_config) == without_output(loader_config_),
                 "--resume " + folder +
                     ": the loader config differs from the checkpoint's; an exact resume needs "
                     "the same config (seed, sources, batch size)");
    position_ = state.position;
    last_checkpoint_ = folder;
  }
  // Initialisation, checkpoint loads and zeroed momentum are blocking copies and fills on the legacy default stream,
  // which the run's non-blocking stream is not ordered with: they finish here, once, before the first step.
  if (model_.device() == Device::Cuda) cuda_synchronize();
  const auto deterministic = loader_config_.find("deterministic");
  if (deterministic == loader_config_.end() || *deterministic != nlohmann::json(true))
    log_once(LogLevel::Warn, "genint-train-nondeterministic",
             "genint-train: the loader is not in deterministic mode: a resumed run will not repeat the batches");
  start_loader();
  step_.emplace(model_, optimizer_, options_.num_classes, batch_size_);
  if (validation_ && batches_per_epoch_ > 0)  // the curve so far, for the best epoch
    curve_ = read_validation_curve((std::filesystem::path(options_.output_dir) / "train-log.jsonl").string(),
                                   position_.next_batch_index / batches_per_epoch_);
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
  skips_.emplace(loader_, options_.max_skipped_fraction);
  const std::int32_t sources = loader_.source_count();
  for (std::int32_t index = 0; index < sources; ++index) {
    const genint_source_stats stats = loader_.source_stats(index);
    if (stats.kind == GENINT_SOURCE_NATURAL) batches_per_epoch_ = stats.batches_per_epoch;
    batch_size_ += stats.count_per_batch;
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

void TrainingRun::collect_steps(int leave_in_flight, ProgressReport& progress) {
  while (step_->in_flight() > leave_in_flight) {
    const StepOutcome outcome = step_->collect();
    StepRecord record = in_flight_.front();
    in_flight_.erase(in_flight_.begin());
    record.loss = outcome.loss;
    record.sources = outcome.sources;
    last_loss_ = outcome.loss;
    progress.record_step(record);
  }
}

void TrainingRun::save_checkpoint(ProgressReport& progress) {
  collect_steps(0, progress);
  model_.synchronize();  // the checkpoint's copies run on the legacy default stream, not the model's
  const std::filesystem::path output(options_.output_dir);
  const std::string name = checkpoint_folder_name(position_.step);
  const std::filesystem::path checkpoints = output / "checkpoints";
  CheckpointState state;
  state.position = position_;
  state.loader_config = loader_config_;
  state.model = describe_model(model_.config());
  state.schedule = describe_schedule(options_.schedule);
  last_checkpoint_ = (checkpoints / name).string();
  write_checkpoint(last_checkpoint_, model_, optimizer_, state);
  {
    std::ofstream pointer(output / "latest-checkpoint.partial", std::ios::trunc);
    pointer << name << "\n";
  }
  std::filesystem::rename(output / "latest-checkpoint.partial", output / "latest-checkpoint");
  std::vector<std::filesystem::path> folders;
  for (const auto& entry : std::filesystem::directory_iterator(checkpoints)) {
    const std::string folder = entry.path().filename().string();
    if (!entry.is_directory() || folder.rfind("step-", 0) != 0) continue;
    const bool partial =
        folder.size() > std::strlen(kPartialSuffix) &&
        folder.compare(folder.size() - std::strlen(kPartialSuffix), std::string::npos, kPartialSuffix) == 0;
    if (partial)
      std::filesystem::remove_all(entry.path());  // left by a write that failed or was killed: never complete
    else
      folders.push_back(entry.path());
  }
  std::sort(folders.begin(), folders.end());  // zero-padded step numbers sort in step order
  const auto keep = static_cast<std::size_t>(options_.keep_checkpoints);
  for (std::size_t index = 0; index + keep < folders.size(); ++index) std::filesystem::remove_all(folders[index]);
}

void TrainingRun::validate_if_epoch_ended(ProgressReport& progress) {
  if (!validation_ || batches_per_epoch_ == 0 || position_.next_batch_index % batches_per_epoch_ != 0) return;
  const std::uint64_t completed = position_.next_batch_index / batches_per_epoch_;
  if (!validation_->due(completed)) return;
  collect_steps(0, progress);
  model_.synchronize();
  const ValidationScore score = validation_->score(model_, batch_size_, completed, position_.step);
  curve_.add(score);
  progress.record_validation(score);
}

TrainingSummary TrainingRun::summarize(const ProgressReport& progress, int stopped_by,
                                       const std::string& skip_error) const {
  TrainingSummary summary;
  summary.steps = position_.step;
  summary.epoch = position_.epoch;
  summary.last_checkpoint = last_checkpoint_;
  summary.last_loss = last_loss_;
  summary.images_per_second = progress.steady_images_per_second();
  summary.loader_wait_seconds = progress.steady_loader_wait_seconds();
  summary.loader_wait_share = progress.steady_loader_wait_share();
  summary.skipped = skips_->to_json();
  summary.stop_signal = stopped_by;
  summary.skip_limit_error = skip_error;
  summary.validating = validation_.has_value();
  summary.validation = curve_;
  return summary;
}

TrainingSummary TrainingRun::run() {
  ProgressReport progress((std::filesystem::path(options_.output_dir) / "train-log.jsonl").string(), options_.progress,
                          options_.epochs, options_.log_every_steps, &*skips_);
  in_flight_.reserve(TrainingStep::kSlots);
  bool saved_current = !last_checkpoint_.empty();
  int stopped_by = 0;
  std::string skip_error;
  while (options_.max_steps == 0 || position_.step < options_.max_steps) {
    stopped_by = stop_signal();  // SIGTERM/SIGINT: the steps submitted so far end, then the checkpoint
    if (stopped_by != 0) break;
    const auto wait_start = std::chrono::steady_clock::now();
    BorrowedBatch borrowed(loader_);
    const double loader_wait = std::chrono::duration<double>(std::chrono::steady_clock::now() - wait_start).count();
    const genint_batch batch = borrowed.get();  // a copy: the struct outlives a release on the stream
    GENINT_CHECK(batch.index == position_.next_batch_index, "genint-train: expected batch " +
                                                                std::to_string(position_.next_batch_index) + ", got " +
                                                                std::to_string(batch.index));
    skips_->update(loader_, batch.epoch);
    if (batch.epoch != position_.epoch) {  // an epoch ended: checkpoint before the new one starts
      position_.epoch = batch.epoch;
      const int every = options_.checkpoint_every_epochs;
      if (every > 0 && batch.epoch % static_cast<std::uint64_t>(every) == 0) {
        save_checkpoint(progress);
        saved_current = true;
      }
    }
    if (batch.epoch >= static_cast<std::uint64_t>(options_.epochs)) break;
    skip_error = skips_->limit_exceeded();
    if (!skip_error.empty()) break;  // this batch is not trained: a resume starts with it
    const double learning_rate = options_.schedule.at(static_cast<int>(batch.epoch));
    step_->submit(borrowed, loader_.get(), static_cast<float>(learning_rate));
    position_.step += 1;
    position_.next_batch_index = batch.index + 1;
    position_.learning_rate = learning_rate;
    saved_current = false;
    StepRecord record;
    record.step = position_.step;
    record.epoch = batch.epoch;
    record.batch_index = batch.index;
    record.learning_rate = learning_rate;
    record.steps_remaining = steps_remaining(position_.next_batch_index);
    record.loader_wait_seconds = loader_wait;
    in_flight_.push_back(record);
    collect_steps(step_->pipeline_depth(), progress);
    validate_if_epoch_ended(progress);
    if (options_.checkpoint_every_steps > 0 && position_.step % options_.checkpoint_every_steps == 0) {
      save_checkpoint(progress);
      saved_current = true;
    }
  }
  collect_steps(0, progress);
  if (!saved_current) save_checkpoint(progress);
  progress.finish();
  return summarize(progress, stopped_by, skip_error);
}

}  // namespace

TrainingSummary run_training(const TrainerOptions& options) {
  TrainingRun run(options);
  return run.run();
}

}  // namespace genint::trainer
