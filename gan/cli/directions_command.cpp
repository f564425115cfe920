// genint-gan directions: discovers GANSpace directions of a converted BigGAN-deep (streamed PCA of a layer's
// activations, or the closed form of gen_z) and writes the self-describing directions file gan/directions reads.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "gan/biggan/biggan_generator.h"
#include "gan/biggan/biggan_weights.h"
#include "gan/cli/gan_command.h"
#include "gan/directions/direction_discovery.h"
#include "nn/core/error.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace genint::gan_cli {
namespace {

const char* const directions_usage =
    "usage: genint-gan directions --generator W.safetensors --out D.safetensors [--method pca|closed-form]\n"
    "         [--layer gen_z|layers.<i>|generator.layers.<i>] [--samples N] [--regression-samples N]\n"
    "         [--components K] [--truncation t] [--classes 0,1,...] [--seed S] [--batch-size B] [--threads N]\n"
    "         [--quiet]\n"
    "  --method      pca (GANSpace: streamed PCA of the layer over N samples, then regression back to z; default)\n"
    "                or closed-form (SVD of gen_z's z-columns; exact for gen_z, which is affine in z)\n"
    "  --layer       the activation PCA runs on (default gen_z); closed-form needs gen_z\n"
    "  --samples     PCA samples (default 100000); --regression-samples: default max(10000, N)\n"
    "  --components  K directions kept (default min(80, z_dim)); at most z_dim\n"
    "  --truncation  z = truncated normal in [-2, 2] times t (default 1)\n"
    "  --classes     classes the samples are drawn from (default: all); for closed-form, whose mean is used\n"
    "  --seed        sampling seed (default 0); the file records it, so a run can be repeated exactly\n"
    "  --threads     OpenMP threads of the generator forward (default: all cores)\n"
    "Progress goes to stderr every 2 s (unless --quiet); one JSON summary line goes to stdout.\n";

std::vector<int> parse_classes(const std::string& text, int class_count) {
  std::vector<int> classes;
  if (text.empty()) {
    for (int index = 0; index < class_count; ++index) classes.push_back(index);
    return classes;
  }
  std::istringstream stream(text);
  for (std::string part; std::getline(stream, part, ',');) {
    std::size_t used = 0;
    int value = -1;
    try {
      value = std::stoi(part, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    GENINT_CHECK(used != 0 && used == part.size(), "--classes: '" + part + "' is not an integer");
    GENINT_CHECK(value >= 0 && value < class_count,
                 "--classes: class " + part + " is outside [0, " + std::to_string(class_count) + ") of this generator");
    classes.push_back(value);
  }
  GENINT_CHECK(!classes.empty(), "--classes lists no class");
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

// An integer option of at least `minimum` (counts: 1; seeds: 0), exact as a double up to 1e15.
std::uint64_t whole_number(const CommandOptions& options, const std::string& name, std::uint64_t fallback,
                           double minimum) {
  if (!options.has(name)) return fallback;
  const double value = options.number(name, -1.0);
  GENINT_CHECK(value >= minimum && value < 1e15 && value == static_cast<double>(static_cast<std::uint64_t>(value)),
               "--" + name + " needs an integer >= " + std::to_string(static_cast<int>(minimum)) + ", got '" +
                   options.text(name, "") + "'");
  return static_cast<std::uint64_t>(value);
}

DirectionSet discover(const CommandOptions& options, const std::string& generator_path, bool quiet) {
  const std::string method = options.text("method", "pca");
  GENINT_CHECK(method == "pca" || method == "closed-form", "--method must be pca or closed-form, got '" + method + "'");
  const std::string layer = module_name(options.text("layer", "gen_z"));
  const double truncation = options.number("truncation", 1.0);
  GENINT_CHECK(truncation > 0.0 && truncation <= 1.0, "--truncation must lie in (0, 1]");
  if (method == "closed-form") {
    GENINT_CHECK(layer == "generator.gen_z",
                 "--method closed-form needs --layer gen_z (the only affine layer), got '" + layer + "'");
    for (const char* name : {"samples", "regression-samples", "seed", "batch-size"})
      GENINT_CHECK(!options.has(name), std::string("--") + name + " has no effect with --method closed-form");
    const BigGanWeights weights = BigGanWeights::load(generator_path);
    ClosedFormOptions closed;
    closed.components = options.integer("components", std::min(80, weights.config.z_dim));
    closed.truncation = truncation;
    closed.classes = parse_classes(options.text("classes", ""), weights.config.num_classes);
    closed.generator_id = biggan_generator_id(generator_path);
    return closed_form_directions(weights, closed);
  }
  BigGanGenerator generator = BigGanGenerator::load(generator_path);
  BigGanActivationSource source(generator, layer);
  PcaDiscoveryOptions pca;
  pca.components = options.integer("components", std::min(80, source.latent_dimension()));
  pca.samples = whole_number(options, "samples", 100'000, 1.0);
  pca.regression_samples = whole_number(options, "regression-samples", 0, 1.0);
  pca.batch_size = options.integer("batch-size", 64);
  GENINT_CHECK(pca.batch_size >= 1 && pca.batch_size <= 4096, "--batch-size must be in [1, 4096]");
  pca.truncation = truncation;
  pca.seed = whole_number(options, "seed", 0, 0.0);
  pca.classes = parse_classes(options.text("classes", ""), source.class_count());
  pca.generator_id = biggan_generator_id(generator_path);
  const std::uint64_t regression =
      pca.regression_samples != 0 ? pca.regression_samples : std::max<std::uint64_t>(10'000, pca.samples);
  ProgressSource progress(source, pca.samples + regression, quiet);
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

int run_directions(const std::vector<std::string>& arguments) {
  if (!arguments.empty() && (arguments[0] == "--help" || arguments[0] == "-h")) {
    std::fputs(directions_usage, stdout);
    return 0;
  }
  const CommandOptions options(
      arguments, {"generator", "out", "method", "layer", "samples", "regression-samples", "components", "truncation",
                  "classes", "seed", "batch-size", "threads", "quiet"});
  const std::string generator_path = options.required_text("generator");
  const std::string out = options.required_text("out");
  const int threads = options.integer("threads", 0);
  GENINT_CHECK(threads >= 0, "--threads must be >= 0 (0: all cores)");
#ifdef _OPENMP
  if (threads > 0) omp_set_num_threads(threads);
#endif
  const auto start = std::chrono::steady_clock::now();
  const DirectionSet set = discover(options, generator_path, options.has("quiet"));
  set.write(out);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%s\n", summary(set, out, seconds).dump().c_str());
  return 0;
}

const GanCommandRegistrar registrar("directions", {"discover GANSpace directions (PCA or closed form) of a generator",
                                                   run_directions});

}  // namespace
}  // namespace genint::gan_cli
