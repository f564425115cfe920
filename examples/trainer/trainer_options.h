// genint-train's settings and their command line: the model, the optimiser, the schedule, the loader config
// (a file, or one built for a JPEG folder), checkpointing, logging and per-epoch validation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "nn/core/command_line.h"
#include "nn/optim/learning_rate_schedule.h"

namespace genint::trainer {

struct TrainerOptions {
  std::string loader_config_json;  // the loader's config text (schema: docs/c-api.md)
  std::string architecture = "resnet18";
  int num_classes = 1000;
  bool small_input_stem = false;
  std::string device = "cpu";  // cpu | cuda
  bool bf16 = false;           // cuda only: convolutions in bf16 with float accumulation (ResNetConfig::bf16)
  int epochs = 90;             // training stops when the natural stream reaches this epoch
  std::int64_t max_steps = 0;  // > 0: also stop after this many steps in total (a checkpoint is written)
  LearningRateSchedule schedule = default_schedule();
  float momentum = 0.9f;
  float weight_decay = 1e-4f;
  bool nesterov = false;
  std::uint64_t init_seed = 0;              // seed of torchvision's initialisation
  std::string output_dir;                   // checkpoints/, latest-checkpoint, train-log.jsonl
  std::int64_t checkpoint_every_steps = 0;  // 0: only at epoch ends and at the end
  int checkpoint_every_epochs = 1;          // 0: no epoch-end checkpoints (the final one is always written)
  int keep_checkpoints = 3;                 // older step checkpoints are removed
  int log_every_steps = 1;                  // JSONL lines and progress refreshes
  std::string resume_from;                  // a checkpoint folder, or "latest" (output_dir/latest-checkpoint)
  bool progress = true;                     // the live line on stderr
  double max_skipped_fraction = 0.01;       // of a natural source's files per epoch (SkipMonitor::limit_exceeded)
  std::string val_data;                     // an ImageNet-layout folder scored after epochs (empty: none)
  int val_resize = 0;                       // its Resize(shorter side); 0: the loader config's image.size
  int val_crop = 0;                         // its CenterCrop; 0: the loader config's image.size
  int val_every_epochs = 1;                 // every K-th epoch and the last one; 0: no validation
  int val_threads = 0;                      // its decoding threads; 0: the machine's cores

  static LearningRateSchedule default_schedule();
  void validate() const;
};

// The loader config genint-train uses for a plain ImageNet-layout folder: one natural source, float32 CHW,
// deterministic, so that runs resume exactly.
std::string natural_folder_loader_config(const std::string& root, int image_size, int batch_size, int threads,
                                         std::uint64_t seed);

// genint-train's command line before it becomes TrainerOptions: the options, the file --loader-config names, and the
// settings of a plain --data folder's loader config.
struct TrainerArguments {
  TrainerOptions options;
  std::string loader_config_path;
  std::string lr_schedule = "step";
  bool no_progress = false;
  std::string data_root;
  int image_size = 224;
  int batch_size = 256;
  int loader_threads = 4;
  std::uint64_t seed = 0;
};

// Declares genint-train's options on `command`, bound to `arguments` (nn/core/command_line.h runs the parse).
void declare_trainer_options(CommandSpec command, TrainerArguments& arguments);
// The parsed arguments as TrainerOptions: reads --loader-config, or builds the config of a --data folder.
TrainerOptions finish_trainer_arguments(const TrainerArguments& arguments);

// Both steps on a list of arguments (without the program name). Throws genint::UsageError naming the bad flag or value.
TrainerOptions parse_trainer_arguments(const std::vector<std::string>& arguments);

}  // namespace genint::trainer
