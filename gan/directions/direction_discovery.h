// Finding GANSpace directions: (a) streamed PCA of a layer's activations over sampled (z, class), then the
// least-squares regression of the PCA coordinates back to z; (b) the exact closed form for an affine first layer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "gan/directions/direction_set.h"

namespace genint {

class BigGanGenerator;
struct BigGanWeights;

// Anything that maps (latent, class) to a layer's activations: a BigGAN layer, or a synthetic network in tests.
class ActivationSource {
 public:
  virtual ~ActivationSource() = default;
  virtual std::string layer() const = 0;
  virtual int latent_dimension() const = 0;
  virtual int class_count() const = 0;
  virtual int activation_dimension() const = 0;
  // latents [batch, latent_dimension], class_vectors [batch, class_count] → output [batch, activation_dimension].
  virtual void compute(int batch, const float* latents, const float* class_vectors, double truncation,
                       float* output) = 0;
};

// A BigGAN-deep activation by the reference module name: "generator.gen_z" (only embedding and gen_z run,
// features in the (height, width, channel) order gen_z emits) or "generator.layers.<i>" (a full forward whose
// activation hook copies that module's NCHW output; it replaces any hook set on the generator).
class BigGanActivationSource final : public ActivationSource {
 public:
  explicit BigGanActivationSource(BigGanGenerator& generator, std::string layer = "generator.gen_z");
  std::string layer() const override { return layer_; }
  int latent_dimension() const override;
  int class_count() const override;
  int activation_dimension() const override { return dimension_; }
  void compute(int batch, const float* latents, const float* class_vectors, double truncation, float* output) override;

 private:
  BigGanGenerator& generator_;
  std::string layer_;
  int dimension_ = 0;
  std::vector<float> images_;
};

// Features of a BigGAN activation per sample; throws genint::Error listing the valid names for an unknown one.
int biggan_activation_dimension(const BigGanGenerator& generator, const std::string& layer);

struct PcaDiscoveryOptions {
  int components = 80;
  // Tracked beyond `components` by the incremental PCA (see incremental_pca.h); clipped to the dimension.
  int extra_tracked_components = 16;
  std::uint64_t samples = 1'000'000;
  // Samples of the regression pass; 0 means max(10 000, samples), as GANSpace's linreg_lstsq.
  std::uint64_t regression_samples = 0;
  int batch_size = 256;
  double truncation = 1.0;  // z = truncated normal in [−2, 2] times this
  std::uint64_t seed = 0;
  std::vector<int> classes;  // each sample's class is drawn uniformly from these
  std::string generator_id;
};

// GANSpace: PCA of the source's activations over options.samples samples (streamed), then a second pass that
// regresses z on the stdev-scaled PCA coordinates (least squares, no intercept, as linreg_lstsq does): row k
// of the solution, L2-normalised, is latent direction k. Latent stdevs are 1 (z has unit stdev along any unit
// direction, GANSpace's lat_stdev for z space) and the latent mean is the regression samples' mean z.
DirectionSet discover_pca_directions(ActivationSource& source, const PcaDiscoveryOptions& options);

struct ClosedFormOptions {
  int components = 80;       // at most z_dim
  double truncation = 1.0;   // sets the latent variance behind stdevs and explained variance
  std::vector<int> classes;  // the activation mean is the average of these classes' means
  std::string generator_id;
};

// gen_z(z, c) = W_z z + W_e e(c) + b: for z with covariance σ² I its activation covariance is σ² W_z W_zᵀ for every
// class, so PCA = SVD of W_z: activation direction k = left singular vector u_k, latent direction = right
// singular vector v_k, stdev σ s_k. Computed from the z_dim × z_dim eigenproblem of W_zᵀ W_z.
DirectionSet closed_form_directions(const BigGanWeights& weights, const ClosedFormOptions& options);

// The same for any affine layer: weight [features, input_dimension], of which the first latent_dimension
// columns multiply z; `mean` [features] is the activation mean, latent_variance the variance of each z entry.
DirectionSet closed_form_affine_directions(const std::vector<float>& weight, int features, int input_dimension,
                                           int latent_dimension, std::vector<float> mean, double latent_variance,
                                           int components);

// Variance of BigGAN's latent entries: N(0, 1) truncated to [−2, 2] (0.7737…), times truncation².
double biggan_latent_variance(double truncation);

// Fills a batch of discovery samples [first, first + count) of a sampling stream: z (truncated normal times
// truncation) and one-hot class vectors; `sample_classes` (optional) receives each sample's class.
void fill_discovery_batch(std::uint64_t stream_seed, std::uint64_t first, int count, int latent_dimension,
                          int class_count, const std::vector<int>& classes, double truncation, float* latents,
                          float* class_vectors, int* sample_classes);

}  // namespace genint
