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

// The train log's lines of one kind, in order: steps (no "event" key), or the events named `event`
// ("validation").
inline std::vector<nlohmann::json> read_log(const std::filesystem::path& output, const std::string& event = "") {
  std::ifstream file(output / "train-log.jsonl");
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(file, line);) {
    nlohmann::json entry = nlohmann::json::parse(line);
    const bool is_event = entry.contains("event");
    if (event.empty() ? !is_event : is_event && entry["event"] == event) lines.push_back(std::move(entry));
  }
  return lines;
}

// 2 classes × 6 images of 20×20 beside the tiny set: 3 of each class's colour, and 3 of a random colour each, whose
// predictions move with the weights (so scores of different weights or sizes rarely agree).
inline std::string make_tiny_validation_set(const std::filesystem::path& root) {
  std::mt19937 generator(11);
  for (int label = 0; label < 2; ++label) {
    for (int image = 0; image < 6; ++image) {
      const std::filesystem::path file =
          root / ("class" + std::to_string(label)) / ("v" + std::to_string(image) + ".jpg");
      if (image < 3)
        write_class_jpeg(file, label, 20, generator);
      else
        write_random_colour_jpeg(file, 20, generator);
    }
  }
  return root.string();
}

}  // namespace genint::examples_testing
