// Test support for genint-train: the tiny two-colour training set, the matching small trainer arguments, and the
// train log read back, shared by the CPU trainer tests and the CUDA-against-CPU ones.
#pragma once

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "examples/trainer/trainer.h"
#include "tests/examples/support/class_images.h"

namespace genint::examples_testing {

// 2 classes × 8 images of 20×20 (class = colour); batches of 8 → 2 batches per epoch.
inline std::string make_tiny_set(const std::filesystem::path& root) {
  std::mt19937 generator(5);
  for (int label = 0; label < 2; ++label)
    for (int image = 0; image < 8; ++image)
      write_class_jpeg(root / ("class" + std::to_string(label)) / ("i" + std::to_string(image) + ".jpg"), label, 20,
                       generator);
  return root.string();
}

// genint-train on that set: 16 px, batch 8, small-input stem, fixed seeds, no checkpoints, on `device`.
inline trainer::TrainerOptions tiny_options(const std::string& data, const std::filesystem::path& output,
                                            const char* device = "cpu") {
  return trainer::parse_trainer_arguments({"--data",
                                           data,
                                           "--image-size",
                                           "16",
                                           "--batch-size",
                                           "8",
                                           "--loader-threads",
                                           "2",
                                           "--seed",
                                           "3",
                                           "--output",
                                           output.string(),
                                           "--num-classes",
                                           "2",
                                           "--small-input-stem",
                                           "--no-progress",
                                           "--init-seed",
                                           "1",
                                           "--checkpoint-every-epochs",
                                           "0",
                                           "--device",
                                           device});
}

// One JSON object per logged step, in order.
inline std::vector<nlohmann::json> read_log(const std::filesystem::path& output) {
  std::ifstream file(output / "train-log.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

}  // namespace genint::examples_testing
