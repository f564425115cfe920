// genint-train's command line (CLI11 through nn/core/command_line.h): every option with its range and default, and
// the checks of TrainerOptions built in code.
#include "examples/trainer/trainer_options.h"

#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/models/resnet.h"

namespace genint::trainer {
namespace {

std::string read_text_file(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  GENINT_CHECK(file.good(), "--loader-config: cannot read '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

LearningRateSchedule::Kind parse_schedule_kind(const std::string& text) {
  if (text == "step") return LearningRateSchedule::Kind::Step;
  if (text == "cosine") return LearningRateSchedule::Kind::Cosine;
  check_usage(text == "constant", "--lr-schedule: '" + text + "' is not step, cosine or constant");
  return LearningRateSchedule::Kind::Constant;
}

constexpr std::int64_t kMany = std::numeric_limits<std::int32_t>::max();
constexpr std::int64_t kManySteps = std::numeric_limits<std::int64_t>::max();
constexpr double kLarge = 1e300;

void declare_data_options(CommandSpec command, TrainerArguments& arguments) {
  OptionSpec config =
      command.text("--loader-config", arguments.loader_config_path,
                   "the loader's config (docs/c-api.md); with \"mixup\" the loss is Mixup's mixed-label loss");
  command.text("--data", arguments.data_root, "an ImageNet-layout folder: one natural source, float32 CHW")
      .excludes(config);
  command.integer("--image-size", arguments.image_size, "--data: image side", 1, 8192);
  command.integer("--batch-size", arguments.batch_size, "--data: images per batch", 1, kMany);
  command.integer("--loader-threads", arguments.loader_threads, "--data: decode threads", 1, 4096);
  command.seed("--seed", arguments.seed, "--data: the loader's seed");
}

void declare_model_options(CommandSpec command, TrainerOptions& options) {
  command.choice("--arch", options.architecture,
                 "resnet18..152: torchvision's; resnet20/32/56: He et al.'s CIFAR nets (32x32)",
                 resnet_architectures());
  command.integer("--num-classes", options.num_classes, "classifier outputs", 1, kMany);
  command.flag("--small-input-stem", options.small_input_stem,
               "resnet18..152: 3x3 stem without max-pool, for small images (resnet20/32/56 always have one)");
  command.choice("--device", options.device, "where it trains", {"cpu", "cuda"});
  command.flag("--bf16", options.bf16, "with --device cuda: bf16 convolutions with float accumulation");
  command.seed("--init-seed", options.init_seed, "seed of torchvision's initialisation");
}

void declare_schedule_options(CommandSpec command, TrainerArguments& arguments) {
  TrainerOptions& options = arguments.options;
  command.integer("--epochs", options.epochs, "training stops when the natural stream reaches this epoch", 1, kMany);
  command.integer("--max-steps", options.max_steps, "> 0: also stop after this many steps", 0, kManySteps);
  command.number("--lr", options.schedule.base, "base learning rate", 0.0, kLarge, true);
  command.choice("--lr-schedule", arguments.lr_schedule, "learning-rate schedule", {"step", "cosine", "constant"});
  command.integer("--lr-step-epochs", options.schedule.step_epochs, "step: epochs between decays", 1, kMany);
  command.number("--lr-gamma", options.schedule.gamma, "step: decay factor", 0.0, kLarge);
  command.number("--lr-min", options.schedule.minimum, "cosine: the final rate", 0.0, kLarge);
  command.number("--momentum", options.momentum, "SGD momentum", 0.0, kLarge);
  command.number("--weight-decay", options.weight_decay, "L2 weight decay", 0.0, kLarge);
  command.flag("--nesterov", options.nesterov, "Nesterov momentum");
}

void declare_output_options(CommandSpec command, TrainerArguments& arguments) {
  TrainerOptions& options = arguments.options;
  command.text("--output", options.output_dir, "checkpoints/, latest-checkpoint and train-log.jsonl go here");
  command.integer("--checkpoint-every", options.checkpoint_every_steps, "steps between checkpoints (0: none)", 0,
                  kManySteps);
  command.integer("--checkpoint-every-epochs", options.checkpoint_every_epochs,
                  "epochs between checkpoints (0: only the final one)", 0, kMany);
  command.integer("--keep-checkpoints", options.keep_checkpoints, "older step checkpoints are removed", 1, kMany);
  command.integer("--log-every", options.log_every_steps, "steps between JSONL lines and progress refreshes", 1, kMany);
  command.text("--resume", options.resume_from, "a checkpoint folder, or latest (OUTPUT/latest-checkpoint)");
  command.flag("--no-progress", arguments.no_progress, "no live progress line on stderr");
  command.number("--max-skipped-fraction", options.max_skipped_fraction,
                 "stop (after a checkpoint) when more than this share of an epoch's files were skipped", 0.0, 1.0);
}

void declare_validation_options(CommandSpec command, TrainerOptions& options) {
  const OptionSpec data =
      command.text("--val-data", options.val_data, "an ImageNet-layout folder scored in eval mode after epochs");
  command.integer("--val-resize", options.val_resize, "validation: shorter side before the centre crop", 1, 8192)
      .default_text("the loader's image size")
      .needs(data);
  command.integer("--val-crop", options.val_crop, "validation: centre crop", 1, 8192)
      .default_text("the loader's image size")
      .needs(data);
  command
      .integer("--val-every-epochs", options.val_every_epochs,
               "validate every K-th epoch and after the last (0: never)", 0, kMany)
      .needs(data);
}

}  // namespace

LearningRateSchedule TrainerOptions::default_schedule() {
  LearningRateSchedule schedule;
  schedule.kind = LearningRateSchedule::Kind::Step;  // the paper's ImageNet recipe: 0.1, ÷10 every 30 epochs
  schedule.base = 0.1;
  schedule.gamma = 0.1;
  schedule.step_epochs = 30;
  return schedule;
}

// The command line checks ranges already; this guards options built in code (tests, embedders) the same way.
void TrainerOptions::validate() const {
  check_usage(!loader_config_json.empty(), "give --loader-config FILE or --data DIR");
  check_usage(!output_dir.empty(), "give --output DIR (checkpoints and train-log.jsonl go there)");
  check_usage(epochs > 0, "--epochs must be positive, got " + std::to_string(epochs));
  check_usage(max_steps >= 0, "--max-steps must be >= 0, got " + std::to_string(max_steps));
  check_usage(
      !(small_input_stem && is_cifar_resnet(architecture)),
      "--small-input-stem applies to resnet18..resnet152; " + architecture + " always has its 3x3 stride-1 stem");
  check_usage(device == "cpu" || device == "cuda", "--device must be cpu or cuda, got '" + device + "'");
  // On the CPU bf16 is only the GPU path's test twin (float convolutions with bf16 roundings): slower, no gain.
  check_usage(!bf16 || device == "cuda", "--bf16 needs --device cuda (bf16 convolutions run on cuDNN)");
  check_usage(checkpoint_every_steps >= 0, "--checkpoint-every must be >= 0");
  check_usage(checkpoint_every_epochs >= 0, "--checkpoint-every-epochs must be >= 0");
  check_usage(keep_checkpoints >= 1, "--keep-checkpoints must be >= 1");
  check_usage(log_every_steps >= 1, "--log-every must be >= 1");
  check_usage(max_skipped_fraction >= 0.0 && max_skipped_fraction <= 1.0,
              "--max-skipped-fraction must be in [0, 1], got " + std::to_string(max_skipped_fraction));
  check_usage(momentum >= 0.0f && weight_decay >= 0.0f, "--momentum and --weight-decay must be >= 0");
  check_usage(val_every_epochs >= 0, "--val-every-epochs must be >= 0");
  check_usage(val_resize >= 0 && val_crop >= 0 && val_threads >= 0,
              "--val-resize, --val-crop and the validation threads must be >= 0 (0: the default)");
  schedule.validate();
}

std::string natural_folder_loader_config(const std::string& root, int image_size, int batch_size, int threads,
                                         std::uint64_t seed) {
  const nlohmann::json config = {
      {"seed", seed},
      {"deterministic", true},
      {"batch_size", batch_size},
      {"image", {{"size", image_size}, {"layout", "float32_chw"}}},
      {"sources",
       nlohmann::json::array(
           {{{"kind", "natural"}, {"count", batch_size}, {"weight", 1.0}, {"threads", threads}, {"root", root}}})}};
  return config.dump();
}

void declare_trainer_options(CommandSpec command, TrainerArguments& arguments) {
  declare_data_options(command, arguments);
  declare_model_options(command, arguments.options);
  declare_schedule_options(command, arguments);
  declare_output_options(command, arguments);
  declare_validation_options(command, arguments.options);
  command.footer(
      "Give --loader-config FILE or --data DIR, and --output DIR. docs/trainer.md has the details.\n"
      "--val-data: scored with genint-eval's code in batches of the training batch size, decoded by --loader-threads\n"
      "threads with --data, else one per core; one {\"event\": \"validation\", ...} line per validation in\n"
      "train-log.jsonl.");
}

TrainerOptions finish_trainer_arguments(const TrainerArguments& arguments) {
  TrainerOptions options = arguments.options;
  options.schedule.kind = parse_schedule_kind(arguments.lr_schedule);
  options.progress = !arguments.no_progress;
  // Cosine annealing ends with the run (torch users set T_max = epochs); a fixed 90 would leave a short run at
  // nearly the base rate.
  options.schedule.total_epochs = options.epochs;
  if (!arguments.loader_config_path.empty()) options.loader_config_json = read_text_file(arguments.loader_config_path);
  if (!arguments.data_root.empty())
    options.loader_config_json = natural_folder_loader_config(
        arguments.data_root, arguments.image_size, arguments.batch_size, arguments.loader_threads, arguments.seed);
  if (!arguments.data_root.empty()) options.val_threads = arguments.loader_threads;  // else: one per core
  return options;
}

TrainerOptions parse_trainer_arguments(const std::vector<std::string>& words) {
  TrainerArguments arguments;
  parse_arguments(
      "genint-train", [&arguments](CommandSpec command) { declare_trainer_options(command, arguments); }, words);
  return finish_trainer_arguments(arguments);
}

}  // namespace genint::trainer
