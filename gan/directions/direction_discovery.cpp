// GANSpace direction discovery: the PCA pass (IncrementalPca), the regression pass (normal equations of the
// scaled coordinates, accumulated in float64 so nothing N-sized is kept), and the affine closed form.
#include "gan/directions/direction_discovery.h"

#include <cblas.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>

#include "gan/biggan/biggan_generator.h"
#include "gan/directions/incremental_pca.h"
#include "gan/directions/seed_streams.h"
#include "gan/directions/symmetric_eigen.h"
#include "gan/sampling/truncated_normal.h"
#include "nn/core/error.h"
#include "nn/ops/gemm.h"

namespace genint {
namespace {

std::size_t product(int rows, int columns) {
  return static_cast<std::size_t>(rows) * static_cast<std::size_t>(columns);
}

// pytorch-pretrained-biggan's truncnorm.rvs(-2, 2): the bound of every latent entry before scaling.
constexpr double kLatentBound = 2.0;
// Pseudo-inverse cutoff of the regression's normal equations, relative to the largest eigenvalue: the
// coordinates are scaled to unit variance, so a smaller eigenvalue means a (numerically) dependent column.
constexpr double kRegressionCutoff = 1e-10;

void check_classes(const std::vector<int>& classes, int class_count, const char* who) {
  GENINT_CHECK(!classes.empty(), std::string(who) + ": give at least one class");
  for (int value : classes) {
    GENINT_CHECK(value >= 0 && value < class_count, std::string(who) + ": class " + std::to_string(value) +
                                                        " is outside [0, " + std::to_string(class_count) + ")");
  }
}

// Flips each (latent, activation) pair so the latent direction's largest-magnitude entry is positive:
// PCA signs are arbitrary, and a fixed convention makes two estimators and two runs comparable.
void orient_components(DirectionSet& set) {
  for (int component = 0; component < set.components; ++component) {
    float* latent = set.latent_directions.data() + product(component, set.latent_dimension);
    const float* largest = std::max_element(latent, latent + set.latent_dimension,
                                            [](float a, float b) { return std::fabs(a) < std::fabs(b); });
    if (*largest >= 0.0f) continue;
    for (int index = 0; index < set.latent_dimension; ++index) latent[index] = -latent[index];
    float* activation = set.activation_directions.data() + product(component, set.activation_dimension);
    for (int index = 0; index < set.activation_dimension; ++index) activation[index] = -activation[index];
  }
}

std::vector<float> to_float(const std::vector<double>& values) {
  return std::vector<float>(values.begin(), values.end());
}

struct RegressionResult {
  std::vector<double> latent_directions;  // [K, z_dim], unit rows
  std::vector<double> latent_mean;        // [z_dim]
};

// Accumulates AᵀA and AᵀZ over batches, A = (activations − mean)·Cᵀ / stdev, Z the latents.
class CoordinateRegression {
 public:
  CoordinateRegression(const std::vector<double>& components, const std::vector<double>& mean,
                       const std::vector<double>& stdevs, int dimension, int latent_dimension, int max_batch)
      : components_(components),
        mean_(mean),
        stdevs_(stdevs),
        dimension_(dimension),
        latent_dimension_(latent_dimension),
        count_(static_cast<int>(stdevs.size())),
        centred_(product(max_batch, dimension)),
        coordinates_(product(max_batch, count_)),
        latents_(product(max_batch, latent_dimension)),
        gram_(product(count_, count_), 0.0),
        cross_(product(count_, latent_dimension), 0.0),
        latent_sum_(static_cast<std::size_t>(latent_dimension), 0.0) {}

  void add(int batch, const float* activations, const float* latents) {
    hold_openblas_at_one_thread();
    for (int row = 0; row < batch; ++row) {
      for (int column = 0; column < dimension_; ++column) {
        const std::size_t index = product(row, dimension_) + static_cast<std::size_t>(column);
        centred_[index] = activations[index] - mean_[static_cast<std::size_t>(column)];
      }
      for (int column = 0; column < latent_dimension_; ++column) {
        const std::size_t index = product(row, latent_dimension_) + static_cast<std::size_t>(column);
        latents_[index] = latents[index];
        latent_sum_[static_cast<std::size_t>(column)] += latents[index];
      }
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, batch, count_, dimension_, 1.0, centred_.data(), dimension_,
                components_.data(), dimension_, 0.0, coordinates_.data(), count_);
    for (int row = 0; row < batch; ++row) {
      for (int component = 0; component < count_; ++component) {
        coordinates_[product(row, count_) + static_cast<std::size_t>(component)] /=
            stdevs_[static_cast<std::size_t>(component)];
      }
    }
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, count_, count_, batch, 1.0, coordinates_.data(), count_,
                coordinates_.data(), count_, 1.0, gram_.data(), count_);
    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, count_, latent_dimension_, batch, 1.0, coordinates_.data(),
                count_, latents_.data(), latent_dimension_, 1.0, cross_.data(), latent_dimension_);
    samples_ += static_cast<std::uint64_t>(batch);
  }

  RegressionResult solve() const {
    hold_openblas_at_one_thread();
    RegressionResult result;
    result.latent_directions = solve_normal_equations(gram_, count_, cross_, latent_dimension_, kRegressionCutoff);
    for (int component = 0; component < count_; ++component) {
      double* row = result.latent_directions.data() + product(component, latent_dimension_);
      const double norm = cblas_dnrm2(latent_dimension_, row, 1);
      GENINT_CHECK(norm > 0.0, "GANSpace regression: component " + std::to_string(component) +
                                   " does not depend on z at all (its coordinates are degenerate)");
      cblas_dscal(latent_dimension_, 1.0 / norm, row, 1);
    }
    result.latent_mean = latent_sum_;
    for (double& value : result.latent_mean) value /= static_cast<double>(samples_);
    return result;
  }

 private:
  const std::vector<double>& components_;
  const std::vector<double>& mean_;
  const std::vector<double>& stdevs_;
  int dimension_, latent_dimension_, count_;
  std::vector<double> centred_, coordinates_, latents_, gram_, cross_, latent_sum_;
  std::uint64_t samples_ = 0;
};

// Runs `total` samples of one stream through the source in batches, handing each batch to `consume`.
template <typename Consume>
void stream_samples(ActivationSource& source, const PcaDiscoveryOptions& options, std::uint64_t stream_seed,
                    std::uint64_t total, Consume&& consume) {
  const int latent_dimension = source.latent_dimension();
  const int class_count = source.class_count();
  std::vector<float> latents(product(options.batch_size, latent_dimension));
  std::vector<float> class_vectors(product(options.batch_size, class_count));
  std::vector<float> activations(product(options.batch_size, source.activation_dimension()));
  for (std::uint64_t first = 0; first < total; first += static_cast<std::uint64_t>(options.batch_size)) {
    const int batch =
        static_cast<int>(std::min<std::uint64_t>(total - first, static_cast<std::uint64_t>(options.batch_size)));
    fill_discovery_batch(stream_seed, first, batch, latent_dimension, class_count, options.classes, options.truncation,
                         latents.data(), class_vectors.data(), nullptr);
    source.compute(batch, latents.data(), class_vectors.data(), options.truncation, activations.data());
    consume(batch, activations.data(), latents.data());
  }
}

void check_pca_options(const ActivationSource& source, const PcaDiscoveryOptions& options) {
  check_classes(options.classes, source.class_count(), "GANSpace PCA");
  GENINT_CHECK(options.batch_size >= 1, "GANSpace PCA: batch_size must be positive");
  GENINT_CHECK(options.samples >= 2, "GANSpace PCA: needs at least 2 samples");
  GENINT_CHECK(options.extra_tracked_components >= 0, "GANSpace PCA: extra_tracked_components must be >= 0");
  GENINT_CHECK(options.components >= 1 && options.components <= source.latent_dimension(),
               "GANSpace PCA: components must lie in [1, z_dim " + std::to_string(source.latent_dimension()) +
                   "] (the regression back to z cannot resolve more), got " + std::to_string(options.components));
  GENINT_CHECK(options.truncation > 0.0 && options.truncation <= 1.0, "GANSpace PCA: truncation must lie in (0, 1]");
}

}  // namespace

double biggan_latent_variance(double truncation) {
  // Var of N(0,1) restricted to [−b, b] = 1 − 2 b φ(b) / (2 Φ(b) − 1).
  const double pi = std::acos(-1.0);
  const double density = std::exp(-0.5 * kLatentBound * kLatentBound) / std::sqrt(2.0 * pi);
  const double mass = std::erf(kLatentBound / std::sqrt(2.0));
  return (1.0 - 2.0 * kLatentBound * density / mass) * truncation * truncation;
}

void fill_discovery_batch(std::uint64_t stream_seed, std::uint64_t first, int count, int latent_dimension,
                          int class_count, const std::vector<int>& classes, double truncation, float* latents,
                          float* class_vectors, int* sample_classes) {
  std::fill(class_vectors, class_vectors + product(count, class_count), 0.0f);
  for (int row = 0; row < count; ++row) {
    const std::uint64_t sample_seed = derive_seed(stream_seed, first + static_cast<std::uint64_t>(row));
    float* latent = latents + product(row, latent_dimension);
    truncated_normal(sample_seed, latent_dimension, static_cast<float>(kLatentBound), latent);
    for (int index = 0; index < latent_dimension; ++index) latent[index] *= static_cast<float>(truncation);
    const std::uint64_t pick = derive_seed(sample_seed, SeedStream::Class) % classes.size();
    const int class_index = classes[static_cast<std::size_t>(pick)];
    class_vectors[product(row, class_count) + static_cast<std::size_t>(class_index)] = 1.0f;
    if (sample_classes != nullptr) sample_classes[row] = class_index;
  }
}

DirectionSet discover_pca_directions(ActivationSource& source, const PcaDiscoveryOptions& options) {
  check_pca_options(source, options);
  const int dimension = source.activation_dimension();
  const int count = options.components;
  IncrementalPca pca(dimension, count, count + options.extra_tracked_components, options.batch_size);
  stream_samples(source, options, derive_seed(options.seed, SeedStream::DiscoverySample), options.samples,
                 [&](int batch, const float* activations, const float*) { pca.add_batch(activations, batch); });
  const std::vector<double> components = pca.principal_components();
  const std::vector<double> variance = pca.explained_variance();
  std::vector<double> stdevs(variance.size());
  for (std::size_t index = 0; index < variance.size(); ++index) {
    stdevs[index] = std::sqrt(variance[index]);
    GENINT_CHECK(stdevs[index] > 0.0, "GANSpace PCA: component " + std::to_string(index) + " has zero variance");
  }
  const std::uint64_t regression_samples =
      options.regression_samples != 0 ? options.regression_samples : std::max<std::uint64_t>(10'000, options.samples);
  CoordinateRegression regression(components, pca.mean(), stdevs, dimension, source.latent_dimension(),
                                  options.batch_size);
  stream_samples(
      source, options, derive_seed(options.seed, SeedStream::DiscoveryRegression), regression_samples,
      [&](int batch, const float* activations, const float* latents) { regression.add(batch, activations, latents); });
  const RegressionResult solved = regression.solve();

  DirectionSet set;
  set.generator_id = options.generator_id;
  set.layer = source.layer();
  set.method = DirectionMethod::Pca;
  set.classes = options.classes;
  set.samples = options.samples;
  set.regression_samples = regression_samples;
  set.seed = options.seed;
  set.truncation = options.truncation;
  set.total_variance = pca.total_variance();
  set.components = count;
  set.latent_dimension = source.latent_dimension();
  set.activation_dimension = dimension;
  set.latent_directions = to_float(solved.latent_directions);
  set.latent_stdevs.assign(static_cast<std::size_t>(count), 1.0f);
  set.latent_mean = to_float(solved.latent_mean);
  set.activation_directions = to_float(components);
  set.stdevs = to_float(stdevs);
  set.mean = to_float(pca.mean());
  set.explained_variance = to_float(variance);
  orient_components(set);
  set.validate("GANSpace PCA result");
  return set;
}

DirectionSet closed_form_affine_directions(const std::vector<float>& weight, int features, int input_dimension,
                                           int latent_dimension, std::vector<float> mean, double latent_variance,
                                           int components) {
  GENINT_CHECK(features >= 1 && input_dimension >= latent_dimension && latent_dimension >= 1,
               "closed-form directions: inconsistent layer shape");
  GENINT_CHECK(weight.size() == product(features, input_dimension),
               "closed-form directions: weight is not features x inputs");
  GENINT_CHECK(mean.size() == static_cast<std::size_t>(features), "closed-form directions: mean is not [features]");
  GENINT_CHECK(components >= 1 && components <= std::min(latent_dimension, features),
               "closed-form directions: components must lie in [1, " +
                   std::to_string(std::min(latent_dimension, features)) + "]");
  GENINT_CHECK(latent_variance > 0.0, "closed-form directions: latent variance must be positive");
  hold_openblas_at_one_thread();
  // W_z as float64 [features, latent_dimension], then G = W_zᵀ W_z.
  std::vector<double> latent_columns(product(features, latent_dimension));
  for (int row = 0; row < features; ++row) {
    for (int column = 0; column < latent_dimension; ++column) {
      latent_columns[product(row, latent_dimension) + static_cast<std::size_t>(column)] =
          weight[product(row, input_dimension) + static_cast<std::size_t>(column)];
    }
  }
  std::vector<double> gram(product(latent_dimension, latent_dimension));
  cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, latent_dimension, latent_dimension, features, 1.0,
              latent_columns.data(), latent_dimension, latent_columns.data(), latent_dimension, 0.0, gram.data(),
              latent_dimension);
  const SymmetricEigen eigen = symmetric_eigen(gram.data(), latent_dimension, "closed-form W_z^T W_z");
  double trace = 0.0;
  for (int index = 0; index < latent_dimension; ++index)
    trace += gram[product(index, latent_dimension) + static_cast<std::size_t>(index)];

  DirectionSet set;
  set.method = DirectionMethod::ClosedForm;
  set.components = components;
  set.latent_dimension = latent_dimension;
  set.activation_dimension = features;
  set.total_variance = latent_variance * trace;
  set.latent_stdevs.assign(static_cast<std::size_t>(components), 1.0f);
  set.latent_mean.assign(static_cast<std::size_t>(latent_dimension), 0.0f);  // E[z] = 0: z is symmetric
  set.mean = std::move(mean);
  std::vector<double> left(product(components, features));
  for (int component = 0; component < components; ++component) {
    const double eigenvalue = eigen.values[static_cast<std::size_t>(component)];
    GENINT_CHECK(eigenvalue > 0.0, "closed-form directions: W_z has rank " + std::to_string(component) +
                                       ", fewer than the " + std::to_string(components) + " components asked for");
    const double singular = std::sqrt(eigenvalue);
    const double* right = eigen.vectors.data() + product(component, latent_dimension);
    // u = W_z v / s
    cblas_dgemv(CblasRowMajor, CblasNoTrans, features, latent_dimension, 1.0 / singular, latent_columns.data(),
                latent_dimension, right, 1, 0.0, left.data() + product(component, features), 1);
    set.latent_directions.insert(set.latent_directions.end(), right, right + latent_dimension);
    set.stdevs.push_back(static_cast<float>(std::sqrt(latent_variance) * singular));
    set.explained_variance.push_back(static_cast<float>(latent_variance * eigenvalue));
  }
  set.activation_directions = to_float(left);
  orient_components(set);
  return set;
}

DirectionSet closed_form_directions(const BigGanWeights& weights, const ClosedFormOptions& options) {
  const BigGanConfig& config = weights.config;
  check_classes(options.classes, config.num_classes, "closed-form directions");
  GENINT_CHECK(options.truncation > 0.0 && options.truncation <= 1.0,
               "closed-form directions: truncation must lie in (0, 1]");
  const int features = config.gen_z_features();
  const int inputs = config.condition_dim();
  // Activation mean for class c: W_e e(c) + b, with e(c) = embeddings.weight[:, c]; averaged over the classes.
  std::vector<double> mean(weights.gen_z_bias.begin(), weights.gen_z_bias.end());
  const double share = 1.0 / static_cast<double>(options.classes.size());
  for (int class_index : options.classes) {
    for (int row = 0; row < features; ++row) {
      double sum = 0.0;
      for (int column = 0; column < config.z_dim; ++column) {
        sum += static_cast<double>(
                   weights.gen_z_weight[product(row, inputs) + static_cast<std::size_t>(config.z_dim + column)]) *
               weights.embeddings[product(column, config.num_classes) + static_cast<std::size_t>(class_index)];
      }
      mean[static_cast<std::size_t>(row)] += share * sum;
    }
  }
  DirectionSet set = closed_form_affine_directions(weights.gen_z_weight, features, inputs, config.z_dim, to_float(mean),
                                                   biggan_latent_variance(options.truncation), options.components);
  set.generator_id = options.generator_id;
  set.layer = "generator.gen_z";
  set.classes = options.classes;
  set.truncation = options.truncation;
  set.validate("closed-form directions");
  return set;
}

int biggan_activation_dimension(const BigGanGenerator& generator, const std::string& layer) {
  const BigGanConfig& config = generator.config();
  if (layer == "generator.gen_z") return config.gen_z_features();
  for (int block = 0; block < config.block_count(); ++block) {
    if (layer == "generator.layers." + std::to_string(config.module_index_of_block(block))) {
      const int resolution = config.block_out_resolution(block);
      return config.block_out_channels(block) * resolution * resolution;
    }
  }
  if (config.has_attention() && layer == "generator.layers." + std::to_string(config.attention_layer_position)) {
    return config.attention_channels() * config.attention_resolution() * config.attention_resolution();
  }
  const int modules = config.block_count() + (config.has_attention() ? 1 : 0);
  throw Error("BigGAN has no activation \"" + layer +
              "\": use generator.gen_z or generator.layers.0 .. generator.layers." + std::to_string(modules - 1));
}

BigGanActivationSource::BigGanActivationSource(BigGanGenerator& generator, std::string layer)
    : generator_(generator), layer_(std::move(layer)), dimension_(biggan_activation_dimension(generator, layer_)) {}

int BigGanActivationSource::latent_dimension() const {
  return generator_.config().z_dim;
}
int BigGanActivationSource::class_count() const {
  return generator_.config().num_classes;
}

void BigGanActivationSource::compute(int batch, const float* latents, const float* class_vectors, double truncation,
                                     float* output) {
  if (layer_ == "generator.gen_z") {
    generator_.forward_gen_z(batch, latents, class_vectors, output);
    return;
  }
  const int resolution = generator_.resolution();
  const std::size_t image_floats = product(batch, 3 * resolution * resolution);
  if (images_.size() < image_floats) images_.resize(image_floats);
  bool captured = false;
  generator_.set_activation_hook([&](const BigGanActivation& activation) {
    if (*activation.name != layer_) return;
    std::copy_n(activation.data, product(batch, dimension_), output);
    captured = true;
  });
  const BigGanInputs inputs{latents, nullptr, class_vectors, truncation};  // one latent for every layer
  try {
    generator_.forward_to_host(batch, inputs, images_.data());  // images_ is host memory on either device
  } catch (...) {
    generator_.set_activation_hook({});
    throw;
  }
  generator_.set_activation_hook({});
  GENINT_CHECK(captured, "BigGAN activation " + layer_ + " was never produced by the forward");
}

}  // namespace genint
