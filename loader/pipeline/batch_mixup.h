// Mixup (Zhang et al., ICLR 2018) inside a batch: each natural source's samples are paired and each pair blended with
// λ ~ Beta(α, α) drawn from the batch's own seed, so deterministic mode stays bit-identical.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "io/transforms/sample_random.h"
#include "loader/pipeline/mixup_blend.h"

namespace genint::loader {

// One draw of Beta(α, α) as X / (X + Y), X and Y ~ Gamma(α, 1) (Marsaglia & Tsang 2000, boosted by U^(1/α) below
// α = 1), computed from log X and log Y so small α cannot underflow to 0 / 0.
double draw_symmetric_beta(double alpha, io::SampleRandom& random);

// λ of pair `pair` (slots 2·pair and 2·pair + 1 of the source) in batch `batch_index`, in units of 1/quantum: one
// Beta(α, α) draw on SampleRandom(mix(batch_seed, pair)), rounded to the nearest unit.
std::uint32_t mixup_lambda_units(double alpha, std::uint64_t batch_seed, int pair, std::uint32_t quantum);

// The pipeline's Mixup. A source's slots are paired as they lie, (0, 1), (2, 3), ...: slots hold a shuffled stream
// (a keyed permutation of the dataset per epoch, or its arrival order), so neighbours are a random pair, as the
// paper's randperm of a shuffled batch gives. An odd count leaves the last slot unmixed. Fixed pairs let the
// producer that completes a pair blend it at once, while both images are still in cache (deterministic mode).
class BatchMixup {
 public:
  struct SourceRange {
    int offset = 0;  // first slot of the source in every batch
    int count = 0;
    std::uint32_t source_index = 0;  // config order: part of the batch seed
  };

  // λ is a multiple of 1/256 in every layout (mixup_uint8_quantum), so a float32 pair may be blended as uint8 where
  // it is staged, or as float32 where it is not, with the same λ.
  BatchMixup(double alpha, std::uint64_t loader_seed, std::vector<SourceRange> mixed_sources, std::size_t sample_bytes,
             bool float_samples);

  // The seed of batch `batch_index`'s λ's in source `source_index`.
  static std::uint64_t batch_seed(std::uint64_t loader_seed, std::uint64_t batch_index, std::uint32_t source_index);
  // The mixed source with this config index, or null when the source is not mixed.
  const SourceRange* mixed_source(std::uint32_t source_index) const;

  // Blends pair `pair` of `source` in batch `batch_index` in place and writes both samples' partner, partner label
  // and λ. Thread-safe for distinct pairs; the caller orders it after both samples (and their labels) are written.
  void mix_pair(std::uint64_t batch_index, const SourceRange& source, int pair, std::uint8_t* images,
                const std::int32_t* labels, std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) const;
  // The same pair blended where its images are staged as uint8 HWC (hwc_bytes each) before they become float32
  // samples: a quarter of the float blend's memory traffic, and the float32 samples then equal the normalised uint8
  // ones exactly. Writes the same extras as mix_pair.
  void mix_staged_pair(std::uint64_t batch_index, const SourceRange& source, int pair, std::uint8_t* first_hwc,
                       std::uint8_t* second_hwc, std::size_t hwc_bytes, const std::int32_t* labels,
                       std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) const;
  // The whole batch at once (arrival mode: the assembler, once the batch is complete): every pair, and every other
  // sample marked unmixed (its own partner, λ = 1).
  void mix(std::uint64_t batch_index, std::uint8_t* images, int batch_size, const std::int32_t* labels,
           std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) const;

  bool float_samples() const { return float_samples_; }
  // Time spent drawing λ's and blending, summed over the threads that did it, and the pairs blended: what Mixup
  // costs (batch_mixup.cpp says how it is clocked).
  double cpu_seconds() const { return static_cast<double>(cpu_nanoseconds_.load(std::memory_order_relaxed)) * 1e-9; }
  std::uint64_t pairs() const { return pairs_.load(std::memory_order_relaxed); }

 private:
  void blend_and_record(std::uint64_t batch_index, const SourceRange& source, int pair, std::uint8_t* first_image,
                        std::uint8_t* second_image, std::size_t bytes, bool as_float, const std::int32_t* labels,
                        std::int32_t* partners, std::int32_t* partner_labels, float* lambdas) const;

  double alpha_;
  std::uint64_t loader_seed_;
  std::vector<SourceRange> sources_;
  std::size_t sample_bytes_;
  bool float_samples_;
  mutable std::atomic<std::uint64_t> cpu_nanoseconds_{0};
  mutable std::atomic<std::uint64_t> pairs_{0};
};

}  // namespace genint::loader
