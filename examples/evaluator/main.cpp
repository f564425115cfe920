// genint-eval: scores a genint-train (or converted torchvision) ResNet on ImageNet-layout folders, ImageNet-V2,
// ObjectNet and ImageNet-C; prints JSON on stdout and writes JSON/markdown files on request.
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "examples/evaluator/evaluator.h"
#include "nn/core/error.h"

namespace {

using genint::Error;

const char* const kUsage =
    "usage: genint-eval --model FILE.safetensors --data DIR [--layout auto|imagefolder|v2|objectnet|imagenet-c]\n"
    "       [--arch resnet18|34|50|101|152] [--num-classes N] [--small-input-stem] [--resize N] [--crop N]\n"
    "       [--border-crop N] [--batch-size N] [--threads N] [--reference-errors FILE.json]\n"
    "       [--json-out FILE] [--markdown-out FILE] [--predictions-out FILE.csv]\n"
    "  --predictions-out  one CSV row per scored file: file,label,prediction,prediction_probability,\n"
    "                     label_probability (not with --layout imagenet-c)\n";

struct EvalArguments {
  std::string model, data, layout = "auto", reference_errors, json_out, markdown_out, predictions_out;
  genint::ResNetConfig model_config;
  genint::evaluator::EvaluationSettings settings;
};

int to_int(const std::string& flag, const std::string& value) {
  std::size_t used = 0;
  int result = 0;
  try {
    result = std::stoi(value, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  GENINT_CHECK(used == value.size() && !value.empty(), flag + ": '" + value + "' is not an integer");
  return result;
}

EvalArguments parse(const std::vector<std::string>& arguments) {
  EvalArguments parsed;
  for (std::size_t position = 0; position < arguments.size(); ++position) {
    const std::string& flag = arguments[position];
    if (flag == "--small-input-stem") {
      parsed.model_config.small_input_stem = true;
      continue;
    }
    GENINT_CHECK(position + 1 < arguments.size(), flag + ": needs a value\n" + kUsage);
    const std::string& value = arguments[++position];
    if (flag == "--model")
      parsed.model = value;
    else if (flag == "--data")
      parsed.data = value;
    else if (flag == "--layout")
      parsed.layout = value;
    else if (flag == "--arch")
      parsed.model_config.architecture = value;
    else if (flag == "--num-classes")
      parsed.model_config.num_classes = to_int(flag, value);
    else if (flag == "--resize")
      parsed.settings.resize = to_int(flag, value);
    else if (flag == "--crop")
      parsed.settings.crop = to_int(flag, value);
    else if (flag == "--border-crop")
      parsed.settings.border_crop = to_int(flag, value);
    else if (flag == "--batch-size")
      parsed.settings.batch_size = to_int(flag, value);
    else if (flag == "--threads")
      parsed.settings.threads = to_int(flag, value);
    else if (flag == "--reference-errors")
      parsed.reference_errors = value;
    else if (flag == "--json-out")
      parsed.json_out = value;
    else if (flag == "--markdown-out")
      parsed.markdown_out = value;
    else if (flag == "--predictions-out")
      parsed.predictions_out = value;
    else
      throw Error("genint-eval: unknown argument '" + flag + "'\n" + kUsage);
  }
  GENINT_CHECK(!parsed.model.empty() && !parsed.data.empty(),
               std::string("genint-eval: give --model and --data\n") + kUsage);
  GENINT_CHECK(parsed.predictions_out.empty() || parsed.layout != "imagenet-c",
               "genint-eval: --predictions-out is for one dataset, not --layout imagenet-c");
  parsed.settings.record_predictions = !parsed.predictions_out.empty();
  return parsed;
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  GENINT_CHECK(file.good(), "genint-eval: cannot write '" + path + "'");
  file << text;
}

}  // namespace

int main(int argc, char** argv) {
  const std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help") {
    std::fputs(kUsage, arguments.empty() ? stderr : stdout);
    return arguments.empty() ? 2 : 0;
  }
  try {
    const EvalArguments parsed = parse(arguments);
    genint::ResNet model(parsed.model_config);
    model.load_safetensors(parsed.model);
    nlohmann::json result = {{"model", parsed.model},
                             {"data", parsed.data},
                             {"resize", parsed.settings.resize},
                             {"crop", parsed.settings.crop}};
    std::string markdown;
    if (parsed.layout == "imagenet-c") {
      const auto reference = parsed.reference_errors.empty()
                                 ? genint::evaluator::alexnet_corruption_errors()
                                 : genint::evaluator::read_reference_errors(parsed.reference_errors);
      const auto summary = genint::evaluator::evaluate_imagenet_c(model, parsed.data, parsed.settings, reference);
      result["imagenet_c"] = genint::evaluator::corruptions_to_json(summary);
      result["reference"] = parsed.reference_errors.empty() ? std::string("alexnet") : parsed.reference_errors;
      markdown = genint::evaluator::corruptions_to_markdown(summary);
    } else {
      genint::io::DatasetIndexOptions options;
      options.layout = genint::io::parse_dataset_layout(parsed.layout);
      const genint::io::DatasetIndex index = genint::io::build_dataset_index(parsed.data, options);
      const auto scores = genint::evaluator::evaluate_index(model, index, parsed.settings);
      result["scores"] = genint::evaluator::scores_to_json(scores);
      markdown = genint::evaluator::scores_to_markdown(parsed.data, scores);
      if (!parsed.predictions_out.empty())
        write_file(parsed.predictions_out, genint::evaluator::predictions_to_csv(index, scores.predictions));
    }
    std::printf("%s\n", result.dump().c_str());
    if (!parsed.json_out.empty()) write_file(parsed.json_out, result.dump(2) + "\n");
    if (!parsed.markdown_out.empty()) write_file(parsed.markdown_out, markdown);
    return 0;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "genint-eval: %s\n", error.what());
    return 1;
  }
}
