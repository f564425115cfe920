// genint-data fashion-scenes: writes the confounded Fashion-MNIST benchmark (train/val/test/ood/ood_val JPEG folders,
// the corrupted copy of test, nuisance CSVs, manifest.json) and prints one JSON summary line.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "io/cli/data_command.h"
#include "io/scenes/fashion_scenes.h"

namespace genint::data {
namespace {

using io::scenes::FashionScenesOptions;

struct FashionScenesCommandOptions {
  FashionScenesOptions scenes;
  std::string source = io::scenes::default_fashion_mnist_folder;
  std::vector<std::string> corruptions = {"all"};
  bool quiet = false;
  int ood_val_per_class = -1;  // -1: as many as --ood
};

void declare_fashion_scenes(CommandSpec command, FashionScenesCommandOptions& options) {
  FashionScenesOptions& scenes = options.scenes;
  command.text("--out", scenes.output_folder, "output folder; refused when not empty unless --force").required();
  command.flag("--force", scenes.force, "replace what an earlier run wrote in --out");
  command.text("--fashion-mnist", options.source, "folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]");
  command.seed("--seed", scenes.seed, "every image's seed derives from (seed, split, index)");
  command.integer("--image-size", scenes.image_size, "side in pixels", 8, 1024);
  command.integer("--train", scenes.train_per_class, "train images per class", 1, 6000);
  command.integer("--val", scenes.val_per_class, "val images per class (may be 0)", 0, 6000);
  command.integer("--test", scenes.test_per_class, "test images per class", 1, 1000);
  command.integer("--ood", scenes.ood_per_class, "ood images per class", 1, 1000);
  command
      .integer("--ood-val", options.ood_val_per_class,
               "OOD validation images per class (benchmark design only, never a method's hyperparameters); 0: none", 0,
               6000)
      .default_text("as --ood");
  command.number("--rho", scenes.nuisances.rho, "weight of the class-specific nuisance law in train/val/test", 0.0,
                 1.0);
  command.number("--hue-concentration", scenes.nuisances.hue_concentration, "von Mises kappa of each class's hue law",
                 0.0, 500.0);
  command.number("--angle-concentration", scenes.nuisances.angle_concentration,
                 "von Mises kappa of each class's angle law", 0.0, 500.0);
  command
      .word_list("--corruptions", options.corruptions,
                 "corruptions of the test split: all, none (no corrupted tree) or NAME,...")
      .check([](const std::string& name) {
        if (name != "all" && name != "none") io::scenes::parse_corruption(name);
      })
      .default_text("all");
  command.integer_list("--severities", scenes.severities, "severities of each corruption", 1, 5)
      .default_text("1,2,3,4,5");
  command.integer("--threads", scenes.threads, "writer threads", 1, 256).default_text("all cores");
  command.flag("--quiet", options.quiet, "no progress lines on stderr");
  command.footer("See docs/fashion-scenes.md for the distributions and the layout.");
}

int run_fashion_scenes(const FashionScenesCommandOptions& given) {
  FashionScenesOptions options = given.scenes;
  options.progress = !given.quiet;
  options.ood_val_per_class = given.ood_val_per_class >= 0 ? given.ood_val_per_class : options.ood_per_class;
  options.corruptions.clear();
  for (const std::string& name : given.corruptions) {
    check_usage(given.corruptions.size() == 1 || (name != "all" && name != "none"),
                "--corruptions: 'all' and 'none' stand alone");
    if (name == "all") options.corruptions = io::scenes::all_corruptions();
    if (name != "all" && name != "none") options.corruptions.push_back(io::scenes::parse_corruption(name));
  }
  check_usage(!options.severities.empty(), "--severities needs at least one of 1..5");
  const std::string& source = given.source;
  const auto start = std::chrono::steady_clock::now();
  const io::scenes::FashionMnist data = io::scenes::load_fashion_mnist(source);
  const nlohmann::ordered_json manifest = io::scenes::generate_fashion_scenes(options, data);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::size_t images = manifest["corrupted"]["count"].get<std::size_t>();
  for (const auto& [name, split] : manifest["splits"].items()) images += split["count"].get<std::size_t>();
  nlohmann::ordered_json summary = {{"output", options.output_folder},
                                    {"images", images},
                                    {"seconds", seconds},
                                    {"confound_train", manifest["confound"]["measured"]["train"]["hue_and_angle"]},
                                    {"confound_ood", manifest["confound"]["measured"]["ood"]["hue_and_angle"]}};
  std::printf("%s\n", summary.dump().c_str());
  return 0;
}

const SubcommandRegistrar registrar(
    data_commands(), "fashion-scenes",
    make_subcommand("write the confounded Fashion-MNIST scenes benchmark as JPEG folders", declare_fashion_scenes,
                    run_fashion_scenes));

}  // namespace
}  // namespace genint::data
