// genint-eval: scores a genint-train (or converted torchvision) ResNet on ImageNet-layout folders, ImageNet-V2,
// ObjectNet and ImageNet-C; prints JSON on stdout and writes JSON/markdown files on request. Exit status: 0 done,
// 2 bad usage, 1 any other failure, 65 with --strict when a file could not be decoded (after the scores).
#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include "examples/evaluator/evaluator.h"
#include "nn/core/command_line.h"
#include "nn/models/resnet.h"

namespace {

// EX_DATAERR of sysexits.h, as genint-train's exit for too many skipped files.
constexpr int kExitSkippedFiles = 65;

struct EvalArguments {
  std::string model, data, layout = "auto", reference_errors, json_out, markdown_out, predictions_out;
  bool strict = false;
  genint::ResNetConfig model_config;
  genint::evaluator::EvaluationSettings settings;
};

void declare_data(genint::CommandSpec command, EvalArguments& arguments) {
  command.text("--model", arguments.model, "a genint-train (or converted torchvision) FILE.safetensors").required();
  command.text("--data", arguments.data, "the dataset folder").required();
  command.text("--layout", arguments.layout, "auto|imagefolder|v2|objectnet|imagenet-c")
      .check([](const std::string& name) {
        if (name != "imagenet-c") genint::io::parse_dataset_layout(name);
      });
  command
      .text("--reference-errors", arguments.reference_errors,
            "imagenet-c: the per-corruption errors mCE is relative to (FILE.json)")
      .default_text("AlexNet's");
  command.text("--json-out", arguments.json_out, "also write the JSON result to FILE");
  command.text("--markdown-out", arguments.markdown_out, "also write a markdown table to FILE");
  command.text("--predictions-out", arguments.predictions_out, "write each scored file's prediction to FILE.csv");
  command.flag("--strict", arguments.strict, "fail (exit 65, after the scores) when any file could not be decoded");
  command.footer(
      "--predictions-out: one CSV row per scored file: file,label,prediction,prediction_probability,\n"
      "label_probability (not with --layout imagenet-c).");
}

void declare_model_and_settings(genint::CommandSpec command, EvalArguments& arguments) {
  genint::ResNetConfig& model = arguments.model_config;
  command.choice("--arch", model.architecture,
                 "resnet18..152: torchvision's; resnet20/32/56: He et al.'s CIFAR nets (32x32)",
                 genint::resnet_architectures());
  command.integer("--num-classes", model.num_classes, "classifier outputs", 1, 1'000'000);
  command.flag("--small-input-stem", model.small_input_stem,
               "resnet18..152: 3x3 stem without max-pool, for small images (resnet20/32/56 always have one)");
  genint::evaluator::EvaluationSettings& settings = arguments.settings;
  command.integer("--resize", settings.resize, "shorter side before the centre crop", 1, 8192);
  command.integer("--crop", settings.crop, "centre crop: the model's input size", 1, 8192);
  command.integer("--border-crop", settings.border_crop, "pixels cut from every side first (-1: 2 for ObjectNet)", -1,
                  4096);
  command.integer("--batch-size", settings.batch_size, "images per forward", 1, 65536);
  command.integer("--threads", settings.threads, "decoding threads", 1, 4096);
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  GENINT_CHECK(file.good(), "genint-eval: cannot write '" + path + "'");
  file << text;
}

// Scores that leave files out are not the dataset's scores: say so on stderr, and fail under --strict.
int report_skipped(const nlohmann::json& scores, bool strict) {
  const auto skipped = scores.at("skipped").get<long long>();
  if (skipped == 0) return 0;
  std::string examples;
  for (const auto& path : scores.at("skipped_examples")) examples += " '" + path.get<std::string>() + "'";
  std::fprintf(stderr, "genint-eval: %s: %lld files could not be decoded and were not scored (e.g.%s)%s\n",
               strict ? "error" : "warning", skipped, examples.c_str(), strict ? "; --strict fails the run" : "");
  return strict ? kExitSkippedFiles : 0;
}

void declare_evaluation(genint::CommandSpec command, EvalArguments& arguments) {
  declare_data(command, arguments);
  declare_model_and_settings(command, arguments);
}

int evaluate(const EvalArguments& given) {
  EvalArguments parsed = given;
  genint::check_usage(
      !(parsed.model_config.small_input_stem && genint::is_cifar_resnet(parsed.model_config.architecture)),
      "--small-input-stem applies to resnet18..resnet152; " + parsed.model_config.architecture +
          " always has its 3x3 stride-1 stem");
  genint::check_usage(parsed.predictions_out.empty() || parsed.layout != "imagenet-c",
                      "--predictions-out is for one dataset, not --layout imagenet-c");
  parsed.settings.record_predictions = !parsed.predictions_out.empty();
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
  std::fflush(stdout);
  if (!parsed.json_out.empty()) write_file(parsed.json_out, result.dump(2) + "\n");
  if (!parsed.markdown_out.empty()) write_file(parsed.markdown_out, markdown);
  return report_skipped(parsed.layout == "imagenet-c" ? result["imagenet_c"] : result["scores"], parsed.strict);
}

}  // namespace

int main(int argc, char** argv) {
  return genint::run_tool(
      "genint-eval", "genint-eval: scores a ResNet on ImageNet-layout folders, ImageNet-V2, ObjectNet and ImageNet-C",
      genint::make_command(declare_evaluation, evaluate), std::vector<std::string>(argv + 1, argv + argc));
}
