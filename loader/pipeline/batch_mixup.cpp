// Mixup's draws (λ per pair: Beta through two Gammas on genint's portable SampleRandom) and the pipeline's step:
// blend a pair (mixup_blend.cpp) and record both samples' partner, partner label and λ.
#include "loader/pipeline/batch_mixup.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <utility>

#include "loader/order/shard_order.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

constexpr std::uint64_t mixup_seed_tag = 0x4d69787570ull;  // "Mixup": keeps these seeds apart from the samples'

// In (0, 1]: logarithms of it stay finite.
double open_unit(io::SampleRandom& random) {
  return 1.0 - random.uniform(0.0, 1.0);
}

double standard_normal(io::SampleRandom& random) {
  const double radius = std::sqrt(-2.0 * std::log(open_unit(random)));
  return radius * std::cos(6.283185307179586 * random.uniform(0.0, 1.0));
}

// log of a Gamma(shape, 1) draw. Marsaglia–Tsang needs shape >= 1; below it, Gamma(a) = Gamma(a + 1) · U^(1/a).
double log_gamma_draw(double shape, io::SampleRandom& random) {
  const double boost = shape < 1.0 ? std::log(open_unit(random)) / shape : 0.0;
  const double a = shape < 1.0 ? shape + 1.0 : shape;
  const double d = a - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x = 0.0, v = 0.0;
    do {
      x = standard_normal(random);
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = open_unit(random);
    if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1.0 - v + std::log(v)))
      return std::log(d * v) + boost;
  }
}

// The monotonic clock, not the thread's CPU clock: CLOCK_THREAD_CPUTIME_ID is a system call (about 730 ns here, two
// per pair: more than a 32×32 blend itself), the monotonic clock a vDSO read (about 30 ns). A blend never blocks, so
// its wall time is its CPU time unless the thread is preempted within its few microseconds, which a loaded machine
// makes rare, not impossible: the figure can only err high.
std::uint64_t blend_clock_nanoseconds() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

}  // namespace

double draw_symmetric_beta(double alpha, io::SampleRandom& random) {
  const double log_x = log_gamma_draw(alpha, random);
  const double log_y = log_gamma_draw(alpha, random);
  return 1.0 / (1.0 + std::exp(log_y - log_x));
}

std::uint32_t mixup_lambda_units(double alpha, std::uint64_t batch_seed, int pair, std::uint32_t quantum) {
  io::SampleRandom random(mix_seed(batch_seed, static_cast<std::uint64_t>(pair)));
  const double units = std::nearbyint(draw_symmetric_beta(alpha, random) * static_cast<double>(quantum));
  return static_cast<std::uint32_t>(std::clamp(units, 0.0, static_cast<double>(quantum)));
}

BatchMixup::BatchMixup(double alpha, std::uint64_t loader_seed, std::vector<SourceRange> mixed_sources,
                       std::size_t sample_bytes, bool float_samples)
    : alpha_(alpha),
      loader_seed_(loader_seed),
      sources_(std::move(mixed_sources)),
      sample_bytes_(sample_bytes),
      float_samples_(float_samples) {
  GENINT_CHECK(alpha > 0.0 && std::isfinite(alpha), "Mixup's alpha must be positive and finite");
  GENINT_CHECK(!float_samples || sample_bytes % sizeof(float) == 0, "float32 samples must be whole floats");
}

std::uint64_t BatchMixup::batch_seed(std::uint64_t loader_seed, std::uint64_t batch_index, std::uint32_t source_index) {
  return mix_seed(loader_seed, mixup_seed_tag, batch_index, source_index);
}

const BatchMixup::SourceRange* BatchMixup::mixed_source(std::uint32_t source_index) const {
  for (const SourceRange& source : sources_)
    if (source.source_index == source_index) return &source;
  return nullptr;
}

void BatchMixup::mix_pair(std::uint64_t batch_index, const SourceRange& source, int pair, std::uint8_t* images,
                          const std::int32_t* labels, std::int32_t* partners, std::int32_t* partner_labels,
                          float* lambdas) const {
  std::uint8_t* first_image = images + static_cast<std::size_t>(source.offset + 2 * pair) * sample_bytes_;
  blend_and_record(batch_index, source, pair, first_image, first_image + sample_bytes_, sample_bytes_, float_samples_,
                   labels, partners, partner_labels, lambdas);
}

void BatchMixup::mix_staged_pair(std::uint64_t batch_index, const SourceRange& source, int pair,
                                 std::uint8_t* first_hwc, std::uint8_t* second_hwc, std::size_t hwc_bytes,
                                 const std::int32_t* labels, std::int32_t* partners, std::int32_t* partner_labels,
                                 float* lambdas) const {
  blend_and_record(batch_index, source, pair, first_hwc, second_hwc, hwc_bytes, false, labels, partners, partner_labels,
                   lambdas);
}

void BatchMixup::blend_and_record(std::uint64_t batch_index, const SourceRange& source, int pair,
                                  std::uint8_t* first_image, std::uint8_t* second_image, std::size_t bytes,
                                  bool as_float, const std::int32_t* labels, std::int32_t* partners,
                                  std::int32_t* partner_labels, float* lambdas) const {
  const std::uint64_t start = blend_clock_nanoseconds();
  const std::uint32_t units =
      mixup_lambda_units(alpha_, batch_seed(loader_seed_, batch_index, source.source_index), pair, mixup_uint8_quantum);
  if (as_float)  // the float blend counts λ in 1/65536: the same λ, in finer units
    blend_float_pair(reinterpret_cast<float*>(first_image), reinterpret_cast<float*>(second_image),
                     bytes / sizeof(float), units * (mixup_float_quantum / mixup_uint8_quantum));
  else
    blend_uint8_pair(first_image, second_image, bytes, units);
  const float lambda = static_cast<float>(units) / static_cast<float>(mixup_uint8_quantum);  // exact
  const int first = source.offset + 2 * pair, second = first + 1;
  partners[first] = second;
  partners[second] = first;
  partner_labels[first] = labels[second];
  partner_labels[second] = labels[first];
  lambdas[first] = lambdas[second] = lambda;
  cpu_nanoseconds_.fetch_add(blend_clock_nanoseconds() - start, std::memory_order_relaxed);
  pairs_.fetch_add(1, std::memory_order_relaxed);
}

void BatchMixup::mix(std::uint64_t batch_index, std::uint8_t* images, int batch_size, const std::int32_t* labels,
                     std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) const {
  for (int sample = 0; sample < batch_size; ++sample) {
    partners[sample] = sample;
    partner_labels[sample] = labels[sample];
    lambdas[sample] = 1.0f;
  }
  for (const SourceRange& source : sources_)
    for (int pair = 0; pair < source.count / 2; ++pair)
      mix_pair(batch_index, source, pair, images, labels, partners, partner_labels, lambdas);
}

}  // namespace genint::loader
