// genint-gan directions: discovers GANSpace directions of a converted BigGAN-deep (streamed PCA of a layer's
// activations, or the closed form of gen_z) and writes the self-describing directions file gan/directions reads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/cli/gan_command.h"
#include "gan/directions/direction_discovery.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace genint::gan_cli {
namespace {

struct DirectionsOptions {
  std::string generator, out, method = "pca", layer = "gen_z";
  std::uint64_t samples = 100'000, regression_samples = 0, seed = 0;
  int components = 0;  // 0: min(80, z_dim)
  double truncation = 1.0;
  std::vector<int> classes;  // empty: all
  int batch_size = 64, threads = 0;
  bool quiet = false;
  std::vector<OptionSpec> pca_only;  // refused with --method closed-form, where they have no effect
};

void declare_directions(CommandSpec command, DirectionsOptions& options) {
  command.text("--generator", options.generator, "a converted BigGAN-deep (W.safetensors)").required();
  command.text("--out", options.out, "the directions file to write (D.safetensors)").required();
  command.choice("--method", options.method, "how directions are found (see below)", {"pca", "closed-form"});
  command.text("--layer", options.layer, "the activation PCA runs on: gen_z, layers.<i>, generator.layers.<i>");
  options.pca_only = {
      command.integer("--samples", options.samples, "PCA samples", 1, 1'000'000'000'000'000),
      command
          .integer("--regression-samples", options.regression_samples, "regression samples", 1, 1'000'000'000'000'000)
          .default_text("max(10000, --samples)"),
      command.seed("--seed", options.seed, "sampling seed; the file records it, so a run can be repeated"),
      command.integer("--batch-size", options.batch_size, "generator batch", 1, 4096)};
  command.integer("--components", options.components, "K directions kept; at most z_dim", 1, 1'000'000)
      .default_text("min(80, z_dim)");
  command.number("--truncation", options.truncation, "z = truncated normal in [-2, 2] times t", 0.0, 1.0, true);
  command
      .integer_list("--classes", options.classes,
                    "classes the samples are drawn from (closed-form: whose mean is used)", 0, 1'000'000)
      .default_text("all");
  command.integer("--threads", options.threads, "OpenMP threads of the generator forward (0: all cores)", 0, 4096);
  command.flag("--quiet", options.quiet, "no progress lines on stderr");
  command.footer(
      "--method pca: GANSpace, a streamed PCA of the layer over --samples samples, then a regression back to z.\n"
      "--method closed-form: the SVD of gen_z's z-columns, exact for gen_z (affine in z); needs --layer gen_z.\n"
      "Progress goes to stderr every 2 s (unless --quiet); one JSON summary line goes to stdout.");
}

// The classes to draw from: all of the generator's when none were given.
std::vector<int> checked_classes(const std::vector<int>& given, int class_count) {
  std::vector<int> classes = given;
  for (const int value : classes)
    check_usage(value < class_count, "--classes: class " + std::to_string(value) + " is outside [0, " +
                                         std::to_string(class_count) + ") of this generator");
  if (given.empty())
    for (int index = 0; index < class_count; ++index) classes.push_back(index);
  return classes;
}

// "gen_z" and "layers.<i>" are short for the reference module names the activation source takes.
std::string module_name(const std::string& layer) {
  if (layer == "gen_z") return "generator.gen_z";
  if (layer.rfind("layers.", 0) == 0) return "generator." + layer;
  return layer;
}

// Forwards to a source and prints "samples done / total" to stderr at most every two seconds.
class ProgressSource final : public ActivationSource {
 public:
  ProgressSource(ActivationSource& inner, std::uint64_t total, bool quiet)
      : inner_(inner), total_(total), quiet_(quiet), last_(std::chrono::steady_clock::now()) {}
  std::string layer() const override { return inner_.layer(); }
  int latent_dimension() const override { return inner_.latent_dimension(); }
  int class_count() const override { return inner_.class_count(); }
  int activation_dimension() const override { return inner_.activation_dimension(); }
  void compute(int batch, const float* latents, const float* class_vectors, double truncation, float* output) override {
    inner_.compute(batch, latents, class_vectors, truncation, output);
    done_ += static_cast<std::uint64_t>(batch);
    const auto now = std::chrono::steady_clock::now();
    if (quiet_ || (now - last_ < std::chrono::seconds(2) && done_ < total_)) return;
    last_ = now;
    std::fprintf(stderr, "genint-gan directions: %llu / %llu samples (PCA pass, then regression pass)\n",
                 static_cast<unsigned long long>(done_), static_cast<unsigned long long>(total_));
  }

 private:
  ActivationSource& inner_;
  std::uint64_t total_, done_ = 0;
  bool quiet_;
  std::chrono::steady_clock::time_point last_;
};

DirectionSet discover(const DirectionsOptions& options) {
  const std::string layer = module_name(options.layer);
  if (options.method == "closed-form") {
    check_usage(layer == "generator.gen_z",
                "--method closed-form needs --layer gen_z (the only affine layer), got '" + layer + "'");
    for (const OptionSpec& option : options.pca_only)
      check_usage(!option.given(), option.name() + " has no effect with --method closed-form");
    const BigGanWeights weights = BigGanWeights::load(options.generator);
    ClosedFormOptions closed;
    closed.components = options.components != 0 ? options.components : std::min(80, weights.config.z_dim);
    closed.truncation = options.truncation;
    closed.classes = checked_classes(options.classes, weights.config.num_classes);
    closed.generator_id = biggan_generator_id(options.generator);
    return closed_form_directions(weights, closed);
  }
  BigGanGenerator generator = BigGanGenerator::load(options.generator);
  BigGanActivationSource source(generator, layer);
  PcaDiscoveryOptions pca;
  pca.components = options.components != 0 ? options.components : std::min(80, source.latent_dimension());
  pca.samples = options.samples;
  pca.regression_samples = options.regression_samples;
  pca.batch_size = options.batch_size;
  pca.truncation = options.truncation;
  pca.seed = options.seed;
  pca.classes = checked_classes(options.classes, source.class_count());
  pca.generator_id = biggan_generator_id(options.generator);
  const std::uint64_t regression =
      pca.regression_samples != 0 ? pca.regression_samples : std::max<std::uint64_t>(10'000, pca.samples);
  ProgressSource progress(source, pca.samples + regression, options.quiet);
  return discover_pca_directions(progress, pca);
}

nlohmann::ordered_json summary(const DirectionSet& set, const std::string& out, double seconds) {
  nlohmann::ordered_json ratios = nlohmann::ordered_json::array();
  const int shown = std::min(set.components, 10);
  for (int index = 0; index < shown; ++index)
    ratios.push_back(set.explained_variance[static_cast<std::size_t>(index)] / set.total_variance);
  return {{"out", out},
          {"method", direction_method_name(set.method)},
          {"layer", set.layer},
          {"components", set.components},
          {"samples", set.samples},
          {"regression_samples", set.regression_samples},
          {"truncation", set.truncation},
          {"classes", set.classes.size()},
          {"explained_variance_ratio_top10", std::move(ratios)},
          {"generator_id", set.generator_id},
          {"seconds", seconds}};
}

int run_directions(const DirectionsOptions& options) {
#ifdef _OPENMP
  if (options.threads > 0) omp_set_num_threads(options.threads);
#endif
  const auto start = std::chrono::steady_clock::now();
  const DirectionSet set = discover(options);
  set.write(options.out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s\n", summary(set, options.out, seconds).dump().c_str());
  return 0;
}

const SubcommandRegistrar registrar(gan_commands(), "directions",
                                    make_subcommand("discover GANSpace directions (PCA or closed form) of a generator",
                                                    declare_directions, run_directions));

}  // namespace
}  // namespace genint::gan_cli
