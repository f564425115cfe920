// genint-data fashion-scenes as a library call: Fashion-MNIST items composited onto hue-tinted textured
// backgrounds, written as ImageNet-layout JPEG splits with per-image nuisance CSVs and a manifest.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "io/scenes/corruptions.h"
#include "io/scenes/idx_file.h"
#include "io/scenes/nuisance_model.h"

namespace genint::io::scenes {

inline constexpr const char* default_fashion_mnist_folder = "/usr/share/datasets/fashion-mnist";

struct FashionScenesOptions {
  std::string output_folder;
  bool force = false;  // write into a non-empty folder, replacing what an earlier run wrote there
  std::uint64_t seed = 0;
  int image_size = 64;
  // Images per class. train, val and ood_val come from Fashion-MNIST's train file, test and ood from t10k; no item
  // is used twice, and a split's items do not depend on the sizes of the splits dealt after it (ood_val last).
  int train_per_class = 500;
  int val_per_class = 100;
  int test_per_class = 100;
  int ood_per_class = 100;
  // The OOD validation split: the class-independent law, its own seed stream. For benchmark design only (settings
  // and training budget chosen from ERM and the oracle); no method's hyperparameter may be chosen on it. 0: none.
  int ood_val_per_class = 100;
  std::vector<Corruption> corruptions = all_corruptions();  // empty: no corrupted tree
  std::vector<int> severities = {1, 2, 3, 4, 5};
  NuisanceParameters nuisances;
  int threads = 0;  // 0: all cores
  int jpeg_quality = 90;
  bool progress = true;  // lines on stderr while splits are written
};

// Writes <output>/{train,val,test,ood,ood_val}/<class>/*.JPEG,
// <output>/corrupted/<corruption>/<severity>/<class>/*.JPEG, <output>/<split>.csv with every image's nuisances, and
// <output>/manifest.json, which it also returns. The bytes written depend only on the options (not on the thread count)
// and the data. The manifest names the data's files (FashionMnist's *_path fields; empty for data made in memory).
nlohmann::ordered_json generate_fashion_scenes(const FashionScenesOptions& options, const FashionMnist& data);

// The names generate_fashion_scenes() writes at the top of the output folder (what --force replaces).
const std::vector<std::string>& fashion_scenes_output_names();

}  // namespace genint::io::scenes
