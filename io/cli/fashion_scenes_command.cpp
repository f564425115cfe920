// genint-data fashion-scenes: writes the confounded Fashion-MNIST benchmark (train/val/test/ood/ood_val JPEG folders,
// the corrupted copy of test, nuisance CSVs, manifest.json) and prints one JSON summary line.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "io/cli/data_command.h"
#include "io/scenes/fashion_scenes.h"

namespace genint::data {
namespace {

using io::scenes::FashionScenesOptions;

const char* const fashion_scenes_usage =
    "usage: genint-data fashion-scenes --out DIR [--fashion-mnist PATH] [--seed S] [--image-size N]\n"
    "         [--train N] [--val N] [--test N] [--ood N] [--ood-val N] [--rho R] [--hue-concentration K]\n"
    "         [--angle-concentration K] [--corruptions all|none|NAME,...] [--severities 1,2,...]\n"
    "         [--threads N] [--quiet] [--force]\n"
    "  --out            output folder; refused when not empty unless --force (which replaces an earlier run)\n"
    "  --fashion-mnist  folder with {train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]\n"
    "                   (default /usr/share/datasets/fashion-mnist)\n"
    "  --seed           every image's seed derives from (seed, split, index); default 0\n"
    "  --image-size     side in pixels, default 64\n"
    "  --train/--val/--test/--ood  images per class, default 500/100/100/100 (val may be 0)\n"
    "  --ood-val        images per class of the OOD validation split (class-independent law, for benchmark\n"
    "                   design only, never a method's hyperparameters); default: as --ood; 0: none\n"
    "  --rho            weight of the class-specific nuisance law in train/val/test, default 0.9\n"
    "  --hue-concentration, --angle-concentration  von Mises kappa of each class's law, default 4\n"
    "  --corruptions    corruptions of the test split (default all; 'none' writes no corrupted tree)\n"
    "  --severities     default 1,2,3,4,5\n"
    "  --threads        default: all cores\n"
    "See docs/fashion-scenes.md for the distributions and the layout.\n";

template <typename Number>
Number parse_number(const std::string& option, const std::string& text, Number low, Number high) {
  std::istringstream stream(text);
  Number value{};
  stream >> value;
  if (!stream || !stream.eof() || value < low || value > high)
    throw UsageError(option + " needs a number in [" + std::to_string(low) + ", " + std::to_string(high) + "], got '" +
                     text + "'");
  return value;
}

std::vector<std::string> split_commas(const std::string& text) {
  std::vector<std::string> parts;
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');)
    if (!part.empty()) parts.push_back(part);
  return parts;
}

void parse_option(const std::string& word, const std::string& value, FashionScenesOptions& options,
                  std::string& source) {
  if (word == "--out")
    options.output_folder = value;
  else if (word == "--fashion-mnist")
    source = value;
  else if (word == "--seed")
    options.seed = parse_number<std::uint64_t>(word, value, 0, ~std::uint64_t{0});
  else if (word == "--image-size")
    options.image_size = parse_number(word, value, 8, 1024);
  else if (word == "--train")
    options.train_per_class = parse_number(word, value, 1, 6000);
  else if (word == "--val")
    options.val_per_class = parse_number(word, value, 0, 6000);
  else if (word == "--test")
    options.test_per_class = parse_number(word, value, 1, 1000);
  else if (word == "--ood")
    options.ood_per_class = parse_number(word, value, 1, 1000);
  else if (word == "--ood-val")
    options.ood_val_per_class = parse_number(word, value, 0, 6000);
  else if (word == "--rho")
    options.nuisances.rho = parse_number(word, value, 0.0, 1.0);
  else if (word == "--hue-concentration")
    options.nuisances.hue_concentration = parse_number(word, value, 0.0, 500.0);
  else if (word == "--angle-concentration")
    options.nuisances.angle_concentration = parse_number(word, value, 0.0, 500.0);
  else if (word == "--threads")
    options.threads = parse_number(word, value, 1, 256);
  else if (word == "--corruptions") {
    options.corruptions.clear();
    if (value == "all")
      options.corruptions = io::scenes::all_corruptions();
    else if (value != "none")
      for (const std::string& name : split_commas(value)) {
        try {
          options.corruptions.push_back(io::scenes::parse_corruption(name));
        } catch (const Error& error) {
          throw UsageError(error.what());
        }
      }
  } else if (word == "--severities") {
    options.severities.clear();
    for (const std::string& part : split_commas(value)) options.severities.push_back(parse_number(word, part, 1, 5));
    if (options.severities.empty()) throw UsageError("--severities needs at least one of 1..5");
  } else {
    throw UsageError("unknown option " + word);
  }
}

int run_fashion_scenes(const std::vector<std::string>& arguments) {
  if (arguments.size() == 1 && (arguments[0] == "--help" || arguments[0] == "-h")) {
    std::fputs(fashion_scenes_usage, stdout);
    return 0;
  }
  FashionScenesOptions options;
  options.ood_val_per_class = -1;  // until parsed: -1 means "as many as --ood"
  std::string source = io::scenes::default_fashion_mnist_folder;
  for (std::size_t index = 0; index < arguments.size(); ++index) {
    const std::string& word = arguments[index];
    if (word == "--force")
      options.force = true;
    else if (word == "--quiet")
      options.progress = false;
    else if (index + 1 >= arguments.size())
      throw UsageError(word + " needs a value");
    else
      parse_option(word, arguments[++index], options, source);
  }
  if (options.output_folder.empty()) throw UsageError("no --out DIR given");
  if (options.ood_val_per_class < 0) options.ood_val_per_class = options.ood_per_class;
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

const DataCommandRegistrar registrar("fashion-scenes",
                                     {"write the confounded Fashion-MNIST scenes benchmark as JPEG folders",
                                      fashion_scenes_usage, run_fashion_scenes});

}  // namespace
}  // namespace genint::data
