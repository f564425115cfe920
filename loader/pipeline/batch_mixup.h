// Mixup (Zhang et al., ICLR 2018) inside a batch: each natural source's samples are paired at random and each pair
// blended with λ ~ Beta(α, α), both drawn from the batch's own seed, so deterministic mode stays bit-identical.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "io/transforms/sample_random.h"

namespace genint::loader {

// λ is a multiple of 1/quantum, and the λ reported is the λ applied. uint8: 1/256, so the blend is exact 16-bit
// integer arithmetic (a step of 1/256 in λ moves a blended byte by less than one level); float32: 1/65536.
constexpr std::uint32_t mixup_uint8_quantum = 256;
constexpr std::uint32_t mixup_float_quantum = 65536;

// One draw of Beta(α, α) as X / (X + Y), X and Y ~ Gamma(α, 1) (Marsaglia & Tsang 2000, boosted by U^(1/α) below
// α = 1), computed from log X and log Y so small α cannot underflow to 0 / 0.
double draw_symmetric_beta(double alpha, io::SampleRandom& random);

// One pair of a source's samples (offsets within the source) and their λ in units of the quantum: `first` becomes
// λ·first + (1 − λ)·second and `second` λ·second + (1 − λ)·first.
struct MixupPair {
  std::int32_t first = 0;
  std::int32_t second = 0;
  std::uint32_t lambda_units = 0;
};

// The pairs of `count` samples: a Fisher–Yates permutation on SampleRandom(seed), consecutive entries paired
// (an odd count leaves the last one unmixed), then one λ per pair in pair order. Writes count / 2 pairs;
// `permutation` needs `count` entries of scratch.
void draw_mixup_pairs(double alpha, std::uint64_t seed, std::uint32_t quantum, int count, std::int32_t* permutation,
                      MixupPair* pairs);

// In place, both from the two originals. uint8: out = (w·a + (256 − w)·b + 128) >> 8, i.e. λa + (1 − λ)b rounded
// half up, exactly. float32: out = λa + (1 − λ)b in float (normalisation is affine, so blending normalised
// values equals normalising the blended image).
void blend_uint8_pair(std::uint8_t* first, std::uint8_t* second, std::size_t bytes, std::uint32_t lambda_units);
void blend_float_pair(float* first, float* second, std::size_t values, std::uint32_t lambda_units);

// The pipeline's Mixup step, run by the assembler on each complete batch before it is published. Scratch is
// allocated here once; mix() allocates nothing.
class BatchMixup {
 public:
  struct SourceRange {
    int offset = 0;  // first slot of the source in every batch
    int count = 0;
    std::uint32_t source_index = 0;  // config order: part of the batch seed
  };

  BatchMixup(double alpha, std::uint64_t loader_seed, std::vector<SourceRange> mixed_sources, std::size_t sample_bytes,
             bool float_samples);

  // The seed of batch `batch_index`'s pairs in source `source_index`.
  static std::uint64_t batch_seed(std::uint64_t loader_seed, std::uint64_t batch_index, std::uint32_t source_index);

  // Blends the batch's images in place and writes every sample's partner (its own index where unmixed), the
  // partner's label and λ (1 where unmixed). Not thread-safe: one assembler calls it.
  void mix(std::uint64_t batch_index, std::uint8_t* images, int batch_size, const std::int32_t* labels,
           std::int32_t* partners, std::int32_t* partner_labels, float* lambdas);

  double alpha() const { return alpha_; }
  std::uint32_t quantum() const { return quantum_; }
  // CPU time the mixing took (the assembler thread's clock), and the batches it mixed: what Mixup costs.
  double cpu_seconds() const { return static_cast<double>(cpu_nanoseconds_.load(std::memory_order_relaxed)) * 1e-9; }
  std::uint64_t batches() const { return batches_.load(std::memory_order_relaxed); }

 private:
  void blend(std::uint8_t* images, const MixupPair& pair, int offset) const;

  double alpha_;
  std::uint64_t loader_seed_;
  std::vector<SourceRange> sources_;
  std::size_t sample_bytes_;
  bool float_samples_;
  std::uint32_t quantum_;
  std::vector<std::int32_t> permutation_;
  std::vector<MixupPair> pairs_;
  std::atomic<std::uint64_t> cpu_nanoseconds_{0};
  std::atomic<std::uint64_t> batches_{0};
};

}  // namespace genint::loader
