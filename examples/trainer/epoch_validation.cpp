// Per-epoch validation for genint-train through genint-eval's evaluate_index, so the trainer's val scores are the
// evaluator's on the same weights, sizes and batch size; plus the log line and the curve read back on resume.
#include "examples/trainer/epoch_validation.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "nn/core/error.h"

namespace genint::trainer {
namespace {

// The loader config's output side (224 when it gives none, as the loader does).
int loader_image_size(const nlohmann::json& loader_config) {
  const auto image = loader_config.find("image");
  if (image == loader_config.end() || !image->is_object()) return 224;
  const auto size = image->find("size");
  return size != image->end() && size->is_number_integer() ? size->get<int>() : 224;
}

std::vector<nlohmann::json> natural_sources(const nlohmann::json& loader_config) {
  std::vector<nlohmann::json> found;
  const auto sources = loader_config.find("sources");
  if (sources == loader_config.end() || !sources->is_array()) return found;
  for (const nlohmann::json& source : *sources)
    if (source.is_object() && source.value("kind", "") == "natural") found.push_back(source);
  return found;
}

// The non-hidden subfolders of `root`, sorted byte-wise (the class order of ImageFolder and ImageNet-V2 alike).
std::vector<std::string> class_folders(const std::string& root) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(root, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory(error) && name.front() != '.') names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// A label is a class folder's position: when the training data is one plain class-folder tree whose folders
// differ from the validation folder's, the same label means different classes and the scores mean nothing.
void warn_if_classes_differ(const std::string& val_root, const nlohmann::json& loader_config) {
  const std::vector<nlohmann::json> sources = natural_sources(loader_config);
  if (sources.size() != 1 || !sources[0].contains("root") || !sources[0]["root"].is_string()) return;
  const std::string layout = sources[0].value("layout", "auto");
  const std::string train_root = sources[0]["root"].get<std::string>();
  std::error_code error;
  if ((layout != "auto" && layout != "imagefolder" && layout != "v2") ||
      !std::filesystem::is_directory(train_root, error))
    return;
  const std::vector<std::string> train = class_folders(train_root);
  const std::vector<std::string> val = class_folders(val_root);
  if (train == val) return;
  const auto [train_at, val_at] = std::mismatch(train.begin(), train.end(), val.begin(), val.end());
  std::fprintf(stderr,
               "genint-train: warning: --val-data '%s' has %zu class folders, the training folder '%s' %zu; they "
               "first differ at position %zu ('%s' vs '%s'): labels are folder positions, so the validation scores "
               "compare different classes\n",
               val_root.c_str(), val.size(), train_root.c_str(), train.size(),
               static_cast<std::size_t>(train_at - train.begin()), train_at == train.end() ? "-" : train_at->c_str(),
               val_at == val.end() ? "-" : val_at->c_str());
}

io::DatasetIndex index_validation_folder(const std::string& root, int num_classes) {
  std::error_code error;
  check_usage(std::filesystem::is_directory(root, error), "--val-data: '" + root + "' is not a folder");
  io::DatasetIndex index;
  try {
    index = io::build_dataset_index(root, io::DatasetIndexOptions{});
  } catch (const UsageError&) {
    throw;
  } catch (const Error& failure) {
    throw UsageError(std::string("--val-data: ") + failure.what());
  }
  check_usage(index.size() > 0, "--val-data: '" + root + "' holds no images");
  check_usage(index.class_count() <= static_cast<std::size_t>(num_classes),
              "--val-data: '" + root + "' has " + std::to_string(index.class_count()) +
                  " classes, more than --num-classes " + std::to_string(num_classes));
  return index;
}

}  // namespace

void ValidationCurve::add(const ValidationScore& score) {
  last = score;
  if (!best || score.top1 > best->top1) best = score;  // ties keep the earlier epoch
}

EpochValidation::EpochValidation(const TrainerOptions& options, const nlohmann::json& loader_config)
    : every_epochs_(options.val_every_epochs), epochs_(options.epochs) {
  check_usage(!natural_sources(loader_config).empty(),
              "--val-data: validation runs at the ends of the natural stream's epochs, and the loader config has "
              "no natural source");
  const int image_size = loader_image_size(loader_config);
  settings_.resize = options.val_resize > 0 ? options.val_resize : image_size;
  settings_.crop = options.val_crop > 0 ? options.val_crop : image_size;
  check_usage(settings_.resize >= settings_.crop, "--val-resize (" + std::to_string(settings_.resize) +
                                                      ") must be at least --val-crop (" +
                                                      std::to_string(settings_.crop) + ")");
  const unsigned cores = std::thread::hardware_concurrency();
  settings_.threads = options.val_threads > 0 ? options.val_threads : static_cast<int>(std::max(1u, cores));
  settings_.border_crop = 0;
  index_ = index_validation_folder(options.val_data, options.num_classes);
  warn_if_classes_differ(options.val_data, loader_config);
}

bool EpochValidation::due(std::uint64_t completed) const {
  if (every_epochs_ <= 0 || completed == 0) return false;
  return completed % static_cast<std::uint64_t>(every_epochs_) == 0 || completed == static_cast<std::uint64_t>(epochs_);
}

ValidationScore EpochValidation::score(ResNet& model, int batch_size, std::uint64_t completed_epochs,
                                       std::int64_t step) const {
  const auto start = std::chrono::steady_clock::now();
  evaluator::EvaluationSettings settings = settings_;
  settings.batch_size = batch_size;
  const evaluator::DatasetScores scores = evaluator::evaluate_index(model, index_, settings);
  ValidationScore score;
  score.epoch = completed_epochs;
  score.step = step;
  score.top1 = scores.all_logits.top1_accuracy();
  score.top5 = scores.all_logits.top5_accuracy();
  score.images = scores.all_logits.samples;
  score.skipped = scores.skipped;
  score.skipped_examples = scores.skipped_examples;
  score.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return score;
}

nlohmann::json validation_log_line(const ValidationScore& score) {
  return {{"event", "validation"},        {"epoch", score.epoch},    {"step", score.step},
          {"val_top1", score.top1},       {"val_top5", score.top5},  {"val_images", score.images},
          {"val_skipped", score.skipped}, {"seconds", score.seconds}};
}

ValidationCurve read_validation_curve(const std::string& log_path, std::uint64_t completed_epochs) {
  ValidationCurve curve;
  std::ifstream file(log_path);
  for (std::string line; std::getline(file, line);) {
    if (line.find("\"validation\"") == std::string::npos) continue;  // step lines are not parsed
    nlohmann::json entry = nlohmann::json::parse(line, nullptr, false);
    if (entry.is_discarded() || entry.value("event", "") != "validation") continue;  // a line cut short by a kill
    ValidationScore score;
    score.epoch = entry.value("epoch", std::uint64_t{0});
    if (score.epoch > completed_epochs) continue;  // scored after the checkpoint the run resumes from
    score.step = entry.value("step", std::int64_t{0});
    score.top1 = entry.value("val_top1", 0.0);
    score.top5 = entry.value("val_top5", 0.0);
    score.images = entry.value("val_images", std::int64_t{0});
    score.skipped = entry.value("val_skipped", std::int64_t{0});
    score.seconds = entry.value("seconds", 0.0);
    curve.add(score);
  }
  return curve;
}

}  // namespace genint::trainer
