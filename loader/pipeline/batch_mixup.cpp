// Mixup's draws (permutation, Beta through two Gammas) on genint's portable SampleRandom, and the two blends:
// 16-bit integer arithmetic for uint8 (vectorises with SSE2 alone) and float for float32.
#include "loader/pipeline/batch_mixup.h"

#include <time.h>

#include <algorithm>
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

std::uint64_t thread_cpu_nanoseconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::uint64_t>(now.tv_sec) * 1000000000ull + static_cast<std::uint64_t>(now.tv_nsec);
}

}  // namespace

double draw_symmetric_beta(double alpha, io::SampleRandom& random) {
  const double log_x = log_gamma_draw(alpha, random);
  const double log_y = log_gamma_draw(alpha, random);
  return 1.0 / (1.0 + std::exp(log_y - log_x));
}

void draw_mixup_pairs(double alpha, std::uint64_t seed, std::uint32_t quantum, int count, std::int32_t* permutation,
                      MixupPair* pairs) {
  io::SampleRandom random(seed);
  for (int index = 0; index < count; ++index) permutation[index] = index;
  for (int index = count - 1; index > 0; --index)
    std::swap(permutation[index], permutation[random.integer_inclusive(0, index)]);
  for (int pair = 0; pair < count / 2; ++pair) {
    const double lambda = draw_symmetric_beta(alpha, random);
    const double units = std::nearbyint(lambda * static_cast<double>(quantum));
    pairs[pair].first = permutation[2 * pair];
    pairs[pair].second = permutation[2 * pair + 1];
    pairs[pair].lambda_units = static_cast<std::uint32_t>(std::clamp(units, 0.0, static_cast<double>(quantum)));
  }
}

void blend_uint8_pair(std::uint8_t* first, std::uint8_t* second, std::size_t bytes, std::uint32_t lambda_units) {
  // 255 · 256 + 128 < 65536: the 16-bit sums never wrap.
  const auto own = static_cast<std::uint16_t>(lambda_units);
  const auto other = static_cast<std::uint16_t>(mixup_uint8_quantum - lambda_units);
  for (std::size_t index = 0; index < bytes; ++index) {
    const std::uint16_t a = first[index], b = second[index];
    first[index] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(own * a + other * b + 128) >> 8);
    second[index] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(own * b + other * a + 128) >> 8);
  }
}

void blend_float_pair(float* first, float* second, std::size_t values, std::uint32_t lambda_units) {
  const float own = static_cast<float>(lambda_units) / static_cast<float>(mixup_float_quantum);  // exact
  const float other = 1.0f - own;                                                                // exact too
  for (std::size_t index = 0; index < values; ++index) {
    const float a = first[index], b = second[index];
    first[index] = own * a + other * b;
    second[index] = own * b + other * a;
  }
}

BatchMixup::BatchMixup(double alpha, std::uint64_t loader_seed, std::vector<SourceRange> mixed_sources,
                       std::size_t sample_bytes, bool float_samples)
    : alpha_(alpha),
      loader_seed_(loader_seed),
      sources_(std::move(mixed_sources)),
      sample_bytes_(sample_bytes),
      float_samples_(float_samples),
      quantum_(float_samples ? mixup_float_quantum : mixup_uint8_quantum) {
  GENINT_CHECK(alpha > 0.0 && std::isfinite(alpha), "Mixup's alpha must be positive and finite");
  GENINT_CHECK(!float_samples || sample_bytes % sizeof(float) == 0, "float32 samples must be whole floats");
  int widest = 0;
  for (const SourceRange& source : sources_) widest = std::max(widest, source.count);
  permutation_.resize(static_cast<std::size_t>(widest));
  pairs_.resize(static_cast<std::size_t>(widest / 2));
}

std::uint64_t BatchMixup::batch_seed(std::uint64_t loader_seed, std::uint64_t batch_index, std::uint32_t source_index) {
  return mix_seed(loader_seed, mixup_seed_tag, batch_index, source_index);
}

void BatchMixup::blend(std::uint8_t* images, const MixupPair& pair, int offset) const {
  std::uint8_t* first = images + static_cast<std::size_t>(offset + pair.first) * sample_bytes_;
  std::uint8_t* second = images + static_cast<std::size_t>(offset + pair.second) * sample_bytes_;
  if (float_samples_)
    blend_float_pair(reinterpret_cast<float*>(first), reinterpret_cast<float*>(second), sample_bytes_ / sizeof(float),
                     pair.lambda_units);
  else
    blend_uint8_pair(first, second, sample_bytes_, pair.lambda_units);
}

void BatchMixup::mix(std::uint64_t batch_index, std::uint8_t* images, int batch_size, const std::int32_t* labels,
                     std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) {
  const std::uint64_t start = thread_cpu_nanoseconds();
  for (int sample = 0; sample < batch_size; ++sample) {
    partners[sample] = sample;
    partner_labels[sample] = labels[sample];
    lambdas[sample] = 1.0f;
  }
  for (const SourceRange& source : sources_) {
    draw_mixup_pairs(alpha_, batch_seed(loader_seed_, batch_index, source.source_index), quantum_, source.count,
                     permutation_.data(), pairs_.data());
    for (int index = 0; index < source.count / 2; ++index) {
      const MixupPair& pair = pairs_[static_cast<std::size_t>(index)];
      blend(images, pair, source.offset);
      const int first = source.offset + pair.first, second = source.offset + pair.second;
      const float lambda = static_cast<float>(pair.lambda_units) / static_cast<float>(quantum_);
      partners[first] = second;
      partners[second] = first;
      partner_labels[first] = labels[second];
      partner_labels[second] = labels[first];
      lambdas[first] = lambdas[second] = lambda;
    }
  }
  cpu_nanoseconds_.fetch_add(thread_cpu_nanoseconds() - start, std::memory_order_relaxed);
  batches_.fetch_add(1, std::memory_order_relaxed);
}

}  // namespace genint::loader
