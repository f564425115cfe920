// Writing and reading genint-train checkpoint folders. Resume is exact because everything a step depends on
// is here: weights, running statistics, num_batches_tracked, momentum, step count and the loader position.
#include "examples/trainer/checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nn/core/error.h"

namespace genint::trainer {
namespace {

constexpr const char* kStateFormat = "genint-train-checkpoint-1";

void write_text_atomically(const std::filesystem::path& path, const std::string& text) {
  const std::filesystem::path temporary = path.string() + ".partial";
  {
    std::ofstream file(temporary, std::ios::binary | std::ios::trunc);
    GENINT_CHECK(file.good(), "checkpoint: cannot write '" + temporary.string() + "'");
    file << text;
    file.flush();
    GENINT_CHECK(file.good(), "checkpoint: writing '" + temporary.string() + "' failed");
  }
  std::filesystem::rename(temporary, path);
}

// Makes a rename inside `directory` durable; a failure here loses nothing already visible, so it is not fatal.
void flush_directory(const std::filesystem::path& directory) {
  const int descriptor = ::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (descriptor < 0) return;
  ::fsync(descriptor);
  ::close(descriptor);
}

nlohmann::json read_json_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  GENINT_CHECK(file.good(), "checkpoint: cannot read '" + path.string() + "'");
  try {
    return nlohmann::json::parse(file);
  } catch (const nlohmann::json::exception& error) {
    throw Error("checkpoint: '" + path.string() + "' is not valid JSON: " + error.what());
  }
}

}  // namespace

nlohmann::json describe_model(const ResNetConfig& config) {
  return {{"architecture", config.architecture},
          {"num_classes", config.num_classes},
          {"small_input_stem", config.small_input_stem}};
}

void write_checkpoint(const std::string& folder, const ResNet& model, const MomentumSgd& optimizer,
                      const CheckpointState& state) {
  // Everything goes into FOLDER.partial, renamed to FOLDER once complete: a write that fails half way (a full disk,
  // a kill) leaves only a .partial folder, which no pointer names and the next write or prune removes.
  const std::filesystem::path final_folder(folder);
  const std::filesystem::path root = final_folder.string() + kPartialSuffix;
  std::filesystem::remove_all(root);
  std::filesystem::create_directories(root);
  model.save_safetensors((root / "model.safetensors").string());
  optimizer.save((root / "optimizer.safetensors").string());
  const nlohmann::json document = {{"format", kStateFormat},
                                   {"step", state.position.step},
                                   {"epoch", state.position.epoch},
                                   {"learning_rate", state.position.learning_rate},
                                   {"optimizer_steps_taken", optimizer.steps_taken()},
                                   {"model", state.model},
                                   {"learning_rate_schedule", state.schedule},
                                   {"loader",
                                    {{"seed", state.loader_config.value("seed", std::uint64_t{0})},
                                     {"epoch", state.position.epoch},
                                     {"next_batch_index", state.position.next_batch_index},
                                     {"config", state.loader_config}}}};
  write_text_atomically(root / "state.json", document.dump(2) + "\n");
  flush_directory(root);
  std::filesystem::remove_all(final_folder);  // a checkpoint of the same step (a resumed run that stops at once)
  std::filesystem::rename(root, final_folder);
  flush_directory(final_folder.parent_path());
}

CheckpointState read_checkpoint(const std::string& folder, ResNet& model, MomentumSgd& optimizer) {
  const std::filesystem::path root(folder);
  const std::filesystem::path state_path = root / "state.json";
  const nlohmann::json document = read_json_file(state_path);
  CheckpointState state;
  try {
    GENINT_CHECK(document.at("format") == kStateFormat,
                 state_path.string() + ": format is not " + std::string(kStateFormat));
    state.position.step = document.at("step").get<std::int64_t>();
    state.position.epoch = document.at("epoch").get<std::uint64_t>();
    state.position.learning_rate = document.at("learning_rate").get<double>();
    state.position.next_batch_index = document.at("loader").at("next_batch_index").get<std::uint64_t>();
    state.loader_config = document.at("loader").at("config");
    state.model = document.at("model");
    state.schedule = document.at("learning_rate_schedule");
  } catch (const nlohmann::json::exception& error) {
    throw Error(state_path.string() + ": missing or mistyped field: " + error.what());
  }
  GENINT_CHECK(state.model == describe_model(model.config()), state_path.string() + ": the checkpoint's model " +
                                                                  state.model.dump() + " differs from " +
                                                                  describe_model(model.config()).dump());
  model.load_safetensors((root / "model.safetensors").string());
  optimizer.load((root / "optimizer.safetensors").string());
  GENINT_CHECK(optimizer.steps_taken() == document.value("optimizer_steps_taken", std::int64_t{-1}),
               state_path.string() + ": optimizer_steps_taken disagrees with optimizer.safetensors");
  return state;
}

}  // namespace genint::trainer
