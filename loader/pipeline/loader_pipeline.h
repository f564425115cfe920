// The mixing pipeline: per source, worker threads write samples straight into a ring of batch buffers at
// fixed per-source slots (deterministic mode), or fill a pool that one assembler thread copies by arrival.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "loader/config/loader_config.h"
#include "loader/device/device_batch_ring.h"
#include "loader/memory/host_memory.h"
#include "loader/pipeline/batch_mixup.h"
#include "loader/sources/sample_source.h"
#include "loader/sources/source_statistics.h"

namespace moodycamel {
struct ConsumerToken;
}

namespace genint::loader {

struct PipelineOptions {
  std::uint64_t seed = 0;
  // true: sample slots are assigned by stream index, skipped items get deterministic substitutes, so the
  // same options give bit-identical batches whatever the thread timing. false: slots go by arrival.
  bool deterministic = true;
  std::size_t sample_bytes = 0;
  bool drop_last = true;
  int batches_in_flight = 4;
  int pool_batches = 2;
  bool pinned_memory = false;
  // >= 0: every batch is also copied to this CUDA device on the loader's own stream (needs pinned_memory).
  int output_device = -1;
  // A sample and this many substitutes in a row skipped: the data is unusable, the loader stops.
  int max_attempts = 64;
  // This rank and the world size: generated streams are shared out (position n · world + rank), and every seed
  // derives from that global position, so ranks never repeat each other's samples. 0 and 1 change nothing.
  int shard_rank = 0;
  int shard_world_size = 1;
  // > 0: Mixup on every complete batch, pairing samples within each natural source (batch_mixup.h).
  double mixup_alpha = 0.0;
  bool float_samples = false;  // samples are float32 (Mixup blends floats), else uint8
};

struct PipelineSource {
  std::unique_ptr<SampleSource> source;
  int count = 0;        // samples per batch
  float weight = 1.0f;  // λ
  int threads = 1;
};

// Per-sample arrays beyond the batch's own (genint_batch_extras in genint.h), one entry per sample, borrowed like
// the batch. Without Mixup, partners are the samples themselves, partner labels their labels and λ 1.
struct BatchExtrasView {
  bool mixup = false;
  const std::int32_t* mixup_partners = nullptr;
  const std::int32_t* mixup_partner_labels = nullptr;
  const float* mixup_lambdas = nullptr;
  const std::int32_t* auto_augment_sub_policies = nullptr;  // -1: AutoAugment did not run
  const std::uint8_t* auto_augment_ops = nullptr;           // auto_augment_*_applied / _negated bits
  const float* transfer_alphas = nullptr;                   // -1 on samples that are not transferred
};

// A finished batch, borrowed from the ring until released. Samples are grouped by source in config order.
struct BatchView {
  std::uint64_t index = 0;
  std::uint64_t epoch = 0;  // of the first finite source (natural); 0 when all sources are endless
  std::uint32_t ring_slot = 0;
  int size = 0;
  const std::uint8_t* images = nullptr;  // size × sample_bytes
  const std::int32_t* labels = nullptr;
  const float* weights = nullptr;
  const std::int32_t* sources = nullptr;  // SourceKind values
  const std::int64_t* items = nullptr;
  const InterventionRecord* interventions = nullptr;
  BatchExtrasView extras;
  DeviceBatchPointers device;  // device_index -1 without a device output
};

struct SourceSnapshot {
  SourceKind kind = SourceKind::Natural;
  int count_per_batch = 0;
  float weight = 1.0f;
  int threads = 0;
  std::uint64_t delivered = 0;
  double samples_per_second = 0.0;
  std::uint64_t skipped = 0;
  std::uint64_t buffers_in_use = 0;  // pool buffers being filled, queued or waiting for their batch
  std::uint64_t pool_size = 0;
  std::uint64_t batches_per_epoch = 0;  // 0: endless
};

class LoaderPipeline {
 public:
  LoaderPipeline(PipelineOptions options, std::vector<PipelineSource> sources);
  ~LoaderPipeline();  // stops the threads and waits for them (blocked producers wake within one timeout)
  LoaderPipeline(const LoaderPipeline&) = delete;
  LoaderPipeline& operator=(const LoaderPipeline&) = delete;

  // Blocks (sleeping) until the next batch is ready. Throws StoppedError after stop(), the first worker's
  // exception after a failure, MisuseError when every batch buffer is already borrowed, and in deterministic mode
  // MisuseError naming batch k − ring when the next batch k is made in that batch's buffer and the calling thread
  // still holds it (waiting would never end); held by another thread, it is waited for.
  BatchView next_batch();
  // Throws MisuseError when the batch is not currently borrowed (released twice, or forged). With a device
  // output it first waits until the batch's host→device copy is done, since producers refill the host slot next.
  void release_batch(std::uint32_t ring_slot, std::uint64_t batch_index);
  // Device output only (MisuseError otherwise), for a borrowed batch: makes the trainer's `stream` (a
  // cudaStream_t, nullptr = default stream) wait for the batch's copy; or releases the batch once the work
  // queued so far on `stream` is done, so the slot's next copy cannot overwrite memory the trainer still reads.
  DeviceBatchPointers device_batch(std::uint32_t ring_slot, std::uint64_t batch_index) const;
  void wait_batch_on_stream(std::uint32_t ring_slot, std::uint64_t batch_index, void* stream) const;
  void release_batch_on_stream(std::uint32_t ring_slot, std::uint64_t batch_index, void* stream);
  // The per-sample extras of a borrowed batch (MisuseError when it is not borrowed).
  BatchExtrasView batch_extras(std::uint32_t ring_slot, std::uint64_t batch_index) const;
  // The arrays of ring slot `ring_slot` (< ring_size()): fixed for the pipeline's life, whichever batch fills them.
  BatchExtrasView slot_extras(std::uint32_t ring_slot) const;
  std::size_t ring_size() const { return slots_.size(); }
  void stop();

  int batch_size() const { return batch_size_; }
  std::size_t sample_bytes() const { return options_.sample_bytes; }
  bool pinned_memory() const { return batch_images_.pinned(); }
  int output_device() const { return device_ring_ ? device_ring_->device_index() : -1; }
  std::size_t source_count() const;
  SourceSnapshot source_snapshot(std::size_t source_index) const;
  const SourceStatistics& source_statistics(std::size_t source_index) const;
  std::uint64_t ready_batches() const;
  const BatchMixup* mixup() const { return mixup_.get(); }

 private:
  struct Lane;
  struct BatchSlot;
  struct Queues;
  struct ReadySample {
    std::uint32_t lane = 0;
    std::uint32_t buffer = 0;
    std::uint64_t task = 0;
  };

  void create_batch_slots(std::size_t ring);
  void start_threads();
  void worker_loop(Lane& lane, int worker_index);
  void produce_chunk(Lane& lane, SampleProducer& producer, SampleRequest* requests, const std::uint32_t* buffers,
                     std::uint64_t first_task, std::size_t count, ReadySample* ready, std::size_t& ready_count,
                     int& consecutive_skips);
  // Deterministic mode (in_place_production.cpp): samples are written where they will be read, in the batch slot
  // of their task.
  void produce_in_place(Lane& lane, SampleProducer& producer);
  void produce_chunk_in_place(Lane& lane, SampleProducer& producer, SampleRequest* requests, std::uint8_t* staging,
                              std::uint64_t first_task, std::size_t count, int& consecutive_skips);
  bool finish_staged_pair(Lane& lane, SampleProducer& producer, SampleRequest* pair_requests, std::uint64_t task,
                          int& consecutive_skips);
  bool retry_until_delivered(Lane& lane, SampleProducer& producer, SampleRequest& request, std::uint64_t task,
                             int& consecutive_skips);
  void record_in_place(Lane& lane, std::uint64_t task);
  void count_in_place(BatchSlot& slot);
  bool wait_until_slot_accepts(std::uint64_t batch_index);
  bool wait_until_batch_complete(std::uint64_t batch_index);
  void prepare_request(Lane& lane, std::uint64_t task, std::uint32_t attempt, std::uint8_t* pixels,
                       SampleRecord* record, SampleRequest& request) const;
  void assembler_loop();
  void publish_in_order();
  bool assemble_batch(std::uint64_t batch_index, BatchSlot& slot, moodycamel::ConsumerToken& token);
  bool try_place(const ReadySample& sample, BatchSlot& slot, std::vector<int>& filled);
  void fail(std::exception_ptr error);
  void throw_if_failed() const;
  std::uint64_t epoch_of_batch(std::uint64_t batch_index) const;
  void publish(std::uint32_t slot_index);
  void check_device_batch_borrowed(std::uint32_t ring_slot, std::uint64_t batch_index) const;
  void check_batch_borrowed(std::uint32_t ring_slot, std::uint64_t batch_index) const;
  static void spread_record(const SampleRecord& record, BatchSlot& slot, std::size_t position);
  void mix_in_place(const Lane& lane, BatchSlot& slot, std::size_t position, std::uint64_t batch_index) const;
  void throw_if_next_buffer_borrowed() const;
  void create_mixup();

  PipelineOptions options_;
  int batch_size_ = 0;
  std::vector<std::unique_ptr<Lane>> lanes_;
  std::vector<std::unique_ptr<BatchSlot>> slots_;
  std::unique_ptr<Queues> queues_;
  HostBuffer batch_images_;
  // Declared after the host ring so it is destroyed first: its destructor drains copies that read host slots.
  std::unique_ptr<DeviceBatchRing> device_ring_;
  std::unique_ptr<BatchMixup> mixup_;  // null without Mixup
  std::vector<int> filled_per_lane_;   // assembler only: samples placed per source in the current batch
  std::vector<ReadySample> pending_;   // arrived samples that belong to a later batch; capacity = all pools
  std::atomic<bool> stopping_{false};
  std::atomic<int> borrowed_{0};
  std::atomic<std::uint64_t> released_batches_{0};
  std::atomic<std::uint64_t> handed_out_{0};  // batches taken by next_batch: the index of the next one (in order)
  // Deterministic mode's two waits: a producer for its batch's slot to be released, the assembler for a
  // batch's last sample. The atomics carry the state; these only put the waiters to sleep.
  std::mutex slot_released_mutex_;
  std::condition_variable slot_released_;
  std::mutex batch_complete_mutex_;
  std::condition_variable batch_complete_;
  mutable std::mutex error_mutex_;
  std::exception_ptr first_error_;
  std::vector<std::thread> threads_;
};

}  // namespace genint::loader
