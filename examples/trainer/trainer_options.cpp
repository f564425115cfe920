// Command-line parsing for genint-train: every flag takes one value (or none for switches), unknown flags
// and malformed numbers are errors naming the flag.
#include "examples/trainer/trainer_options.h"

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "nn/core/error.h"

namespace genint::trainer {
namespace {

std::int64_t parse_integer(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  GENINT_CHECK(used == text.size() && !text.empty(), flag + ": '" + text + "' is not an integer");
  return value;
}

double parse_number(const std::string& flag, const std::string& text) {
  std::size_t used = 0;
  double value = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  GENINT_CHECK(used == text.size() && !text.empty(), flag + ": '" + text + "' is not a number");
  return value;
}

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
  GENINT_CHECK(text == "constant", "--lr-schedule: '" + text + "' is not step, cosine or constant");
  return LearningRateSchedule::Kind::Constant;
}

// What a plain --data run needs besides the options struct.
struct FolderSettings {
  std::string root;
  int image_size = 224;
  int batch_size = 256;
  int threads = 4;
  std::uint64_t seed = 0;
};

using ValueHandler = std::function<void(TrainerOptions&, FolderSettings&, const std::string&, const std::string&)>;

int to_int(const std::string& flag, const std::string& value) {
  return static_cast<int>(parse_integer(flag, value));
}

std::map<std::string, ValueHandler> value_flags() {
  return {
      {"--loader-config", [](TrainerOptions& o, FolderSettings&, const std::string&,
                             const std::string& v) { o.loader_config_json = read_text_file(v); }},
      {"--data", [](TrainerOptions&, FolderSettings& f, const std::string&, const std::string& v) { f.root = v; }},
      {"--image-size", [](TrainerOptions&, FolderSettings& f, const std::string& k,
                          const std::string& v) { f.image_size = to_int(k, v); }},
      {"--batch-size", [](TrainerOptions&, FolderSettings& f, const std::string& k,
                          const std::string& v) { f.batch_size = to_int(k, v); }},
      {"--loader-threads", [](TrainerOptions&, FolderSettings& f, const std::string& k,
                              const std::string& v) { f.threads = to_int(k, v); }},
      {"--seed", [](TrainerOptions&, FolderSettings& f, const std::string& k,
                    const std::string& v) { f.seed = static_cast<std::uint64_t>(parse_integer(k, v)); }},
      {"--arch",
       [](TrainerOptions& o, FolderSettings&, const std::string&, const std::string& v) { o.architecture = v; }},
      {"--num-classes", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                           const std::string& v) { o.num_classes = to_int(k, v); }},
      {"--device", [](TrainerOptions& o, FolderSettings&, const std::string&, const std::string& v) { o.device = v; }},
      {"--epochs",
       [](TrainerOptions& o, FolderSettings&, const std::string& k, const std::string& v) { o.epochs = to_int(k, v); }},
      {"--max-steps", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                         const std::string& v) { o.max_steps = parse_integer(k, v); }},
      {"--lr", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                  const std::string& v) { o.schedule.base = parse_number(k, v); }},
      {"--lr-schedule", [](TrainerOptions& o, FolderSettings&, const std::string&,
                           const std::string& v) { o.schedule.kind = parse_schedule_kind(v); }},
      {"--lr-step-epochs", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                              const std::string& v) { o.schedule.step_epochs = to_int(k, v); }},
      {"--lr-gamma", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                        const std::string& v) { o.schedule.gamma = parse_number(k, v); }},
      {"--lr-min", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                      const std::string& v) { o.schedule.minimum = parse_number(k, v); }},
      {"--momentum", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                        const std::string& v) { o.momentum = static_cast<float>(parse_number(k, v)); }},
      {"--weight-decay", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                            const std::string& v) { o.weight_decay = static_cast<float>(parse_number(k, v)); }},
      {"--init-seed", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                         const std::string& v) { o.init_seed = static_cast<std::uint64_t>(parse_integer(k, v)); }},
      {"--output",
       [](TrainerOptions& o, FolderSettings&, const std::string&, const std::string& v) { o.output_dir = v; }},
      {"--checkpoint-every", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                                const std::string& v) { o.checkpoint_every_steps = parse_integer(k, v); }},
      {"--checkpoint-every-epochs", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                                       const std::string& v) { o.checkpoint_every_epochs = to_int(k, v); }},
      {"--keep-checkpoints", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                                const std::string& v) { o.keep_checkpoints = to_int(k, v); }},
      {"--log-every", [](TrainerOptions& o, FolderSettings&, const std::string& k,
                         const std::string& v) { o.log_every_steps = to_int(k, v); }},
      {"--resume",
       [](TrainerOptions& o, FolderSettings&, const std::string&, const std::string& v) { o.resume_from = v; }},
  };
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

void TrainerOptions::validate() const {
  GENINT_CHECK(!loader_config_json.empty(), "genint-train: give --loader-config FILE or --data DIR");
  GENINT_CHECK(!output_dir.empty(), "genint-train: give --output DIR (checkpoints and train-log.jsonl go there)");
  GENINT_CHECK(epochs > 0, "--epochs must be positive, got " + std::to_string(epochs));
  GENINT_CHECK(max_steps >= 0, "--max-steps must be >= 0, got " + std::to_string(max_steps));
  GENINT_CHECK(device == "cpu" || device == "cuda", "--device must be cpu or cuda, got '" + device + "'");
  // On the CPU bf16 is only the GPU path's test twin (float convolutions with bf16 roundings): slower, no gain.
  GENINT_CHECK(!bf16 || device == "cuda", "--bf16 needs --device cuda (bf16 convolutions run on cuDNN)");
  GENINT_CHECK(checkpoint_every_steps >= 0, "--checkpoint-every must be >= 0");
  GENINT_CHECK(checkpoint_every_epochs >= 0, "--checkpoint-every-epochs must be >= 0");
  GENINT_CHECK(keep_checkpoints >= 1, "--keep-checkpoints must be >= 1");
  GENINT_CHECK(log_every_steps >= 1, "--log-every must be >= 1");
  GENINT_CHECK(momentum >= 0.0f && weight_decay >= 0.0f, "--momentum and --weight-decay must be >= 0");
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

TrainerOptions parse_trainer_arguments(const std::vector<std::string>& arguments) {
  TrainerOptions options;
  FolderSettings folder;
  const std::map<std::string, ValueHandler> handlers = value_flags();
  for (std::size_t position = 0; position < arguments.size(); ++position) {
    const std::string& flag = arguments[position];
    if (flag == "--small-input-stem") {
      options.small_input_stem = true;
    } else if (flag == "--nesterov") {
      options.nesterov = true;
    } else if (flag == "--bf16") {
      options.bf16 = true;
    } else if (flag == "--no-progress") {
      options.progress = false;
    } else {
      const auto handler = handlers.find(flag);
      GENINT_CHECK(handler != handlers.end(), "genint-train: unknown argument '" + flag + "'\n" + trainer_usage());
      GENINT_CHECK(position + 1 < arguments.size(), flag + ": needs a value");
      handler->second(options, folder, flag, arguments[++position]);
    }
  }
  GENINT_CHECK(folder.root.empty() || options.loader_config_json.empty(),
               "genint-train: give either --data or --loader-config, not both");
  // Cosine annealing ends with the run (torch users set T_max = epochs); a fixed 90 would leave a short run at
  // nearly the base rate.
  options.schedule.total_epochs = options.epochs;
  if (!folder.root.empty())
    options.loader_config_json =
        natural_folder_loader_config(folder.root, folder.image_size, folder.batch_size, folder.threads, folder.seed);
  return options;
}

std::string trainer_usage() {
  return "usage: genint-train (--loader-config FILE | --data DIR [--image-size N] [--batch-size N]\n"
         "         [--loader-threads N] [--seed N]) --output DIR\n"
         "       [--arch resnet18|34|50|101|152] [--num-classes N] [--small-input-stem] [--device cpu|cuda [--bf16]]\n"
         "       [--epochs N] [--max-steps N] [--lr X] [--lr-schedule step|cosine|constant] [--lr-step-epochs N]\n"
         "       [--lr-gamma X] [--lr-min X] [--momentum X] [--weight-decay X] [--nesterov] [--init-seed N]\n"
         "       [--checkpoint-every N] [--checkpoint-every-epochs N] [--keep-checkpoints N] [--log-every N] [--resume "
         "DIR|latest] [--no-progress]\n";
}

}  // namespace genint::trainer
