// The pipeline's private state, shared by its two source files: loader_pipeline.cpp (setup, arrival mode, the
// trainer's side) and in_place_production.cpp (deterministic mode's producers and in-order publishing).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "loader/pipeline/blocking_queue.h"
#include "loader/pipeline/loader_pipeline.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace pipeline_detail {
// How long a blocked thread sleeps before it looks at the stop flag again: the bound on destroy's latency.
constexpr std::chrono::milliseconds stop_check_interval{10};

[[noreturn]] inline void throw_unusable_data(SourceKind kind, std::uint64_t epoch, int max_attempts) {
  throw DataError(std::string("source ") + source_kind_name(kind) + ": " + std::to_string(max_attempts) +
                  " samples in a row were skipped (epoch " + std::to_string(epoch) +
                  "); the statistics list the skipped files and why");
}
}  // namespace pipeline_detail

struct LoaderPipeline::Lane {
  std::uint32_t index = 0;
  std::unique_ptr<SampleSource> source;
  SourceKind kind = SourceKind::Natural;
  int count = 0;
  int offset = 0;  // first slot of this source in every batch
  float weight = 1.0f;
  int threads = 1;
  std::uint64_t epoch_length = 0;       // 0: endless
  std::uint64_t batches_per_epoch = 0;  // 0: endless
  std::uint32_t pool_size = 0;
  std::vector<std::uint8_t> pool_pixels;
  std::vector<SampleRecord> pool_records;
  moodycamel::BlockingConcurrentQueue<std::uint32_t> free_buffers;
  std::atomic<std::uint64_t> next_task{0};
  SourceStatistics statistics;
  const BatchMixup::SourceRange* mixup_range = nullptr;  // set when Mixup pairs this source's samples

  explicit Lane(std::size_t capacity) : free_buffers(capacity) {}
};

struct LoaderPipeline::BatchSlot {
  std::uint8_t* images = nullptr;
  std::vector<SampleRecord> records;  // deterministic mode: producers' records, spread into the arrays below
  std::vector<std::int32_t> labels;
  std::vector<float> weights;
  std::vector<std::int32_t> sources;
  std::vector<std::int64_t> items;
  std::vector<InterventionRecord> interventions;
  // The extras (BatchExtrasView). Without Mixup the partner arrays are constant: identity and λ = 1.
  std::vector<std::int32_t> mixup_partners;
  std::vector<std::int32_t> mixup_partner_labels;
  std::vector<float> mixup_lambdas;
  std::vector<std::int32_t> auto_augment_sub_policies;
  std::vector<std::uint8_t> auto_augment_ops;
  std::vector<float> transfer_alphas;
  // Deterministic Mixup: samples of the pair starting at each position that are in (the second one blends).
  std::unique_ptr<std::atomic<std::uint8_t>[]> pair_arrivals;
  // Atomic because release_batch() reads it from the trainer's thread to catch a second release, possibly
  // while the assembler refills the slot for a later batch.
  std::atomic<std::uint64_t> index{0};
  std::uint64_t epoch = 0;
  std::atomic<bool> borrowed{false};
  // The thread whose next_batch handed the slot out: a deterministic next_batch that needs this slot while its
  // own thread holds it fails instead of waiting forever. Written before `borrowed` is set (release).
  std::atomic<std::thread::id> borrower{};
  // Deterministic mode: the batch whose samples producers may write here now (batch b lives in slot
  // b % ring; the slot passes to b + ring when b is released), and how many of them are in.
  std::atomic<std::uint64_t> fill_batch{0};
  std::atomic<int> filled{0};
};

struct LoaderPipeline::Queues {
  moodycamel::BlockingConcurrentQueue<ReadySample> ready_samples;
  moodycamel::BlockingConcurrentQueue<std::uint32_t> free_slots;
  moodycamel::BlockingConcurrentQueue<std::uint32_t> ready_slots;
  // Capacities cover everything that can be in flight at once, so steady state allocates no queue blocks.
  Queues(std::size_t samples, std::size_t slots, std::size_t producers)
      : ready_samples(samples, producers, 4), free_slots(slots, 1, 4), ready_slots(slots, 1, 4) {}
};

// Copies a producer's record into the batch's per-sample arrays at `position` (both modes).
inline void LoaderPipeline::spread_record(const SampleRecord& record, BatchSlot& slot, std::size_t position) {
  slot.labels[position] = record.label;
  slot.items[position] = record.item;
  slot.interventions[position] = record.intervention;
  slot.auto_augment_sub_policies[position] = record.auto_augment_sub_policy;
  slot.auto_augment_ops[position] = record.auto_augment_ops;
  slot.transfer_alphas[position] = record.transfer_alpha;
}

}  // namespace genint::loader
