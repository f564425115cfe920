// The pipeline's threads. Memory is allocated once here: the batch ring, and in arrival mode the per-source
// sample pools and the queues' blocks. Every wait is a timed, sleeping wait that rechecks the stop flag, so
// destruction returns promptly even with blocked producers. Deterministic mode's production: in_place_production.cpp.
#include "loader/pipeline/loader_pipeline.h"

#include <algorithm>
#include <cstring>

#include "loader/order/shard_order.h"
#include "loader/pipeline/loader_pipeline_state.h"

namespace genint::loader {
using pipeline_detail::stop_check_interval;
using pipeline_detail::throw_unusable_data;
// "Source": keeps SampleRequest::source_seed apart from the samples' seeds (whose second input is the source + 1).
constexpr std::uint64_t source_seed_tag = 0x536f75726365ull;

LoaderPipeline::LoaderPipeline(PipelineOptions options, std::vector<PipelineSource> sources) : options_(options) {
  GENINT_CHECK(!sources.empty(), "the loader needs at least one source");
  GENINT_CHECK(options_.sample_bytes > 0, "sample_bytes must be positive");
  GENINT_CHECK(options_.batches_in_flight >= 2, "batches_in_flight must be at least 2");
  std::size_t total_pool = 0, producers = 0;
  for (std::size_t index = 0; index < sources.size(); ++index) {
    PipelineSource& entry = sources[index];
    GENINT_CHECK(entry.source != nullptr && entry.count > 0 && entry.threads > 0,
                 "source " + std::to_string(index) + " needs a source, a positive count and threads");
    const std::size_t chunk = std::max<std::size_t>(1, entry.source->chunk_size());
    const std::size_t pool =
        static_cast<std::size_t>(entry.count) * options_.pool_batches + static_cast<std::size_t>(entry.threads) * chunk;
    auto lane = std::make_unique<Lane>(pool);
    lane->index = static_cast<std::uint32_t>(index);
    lane->kind = entry.source->kind();
    lane->count = entry.count;
    lane->offset = batch_size_;
    lane->weight = entry.weight;
    lane->threads = entry.threads;
    lane->epoch_length = entry.source->epoch_length();
    if (lane->epoch_length > 0) {
      const std::uint64_t count = static_cast<std::uint64_t>(entry.count);
      lane->batches_per_epoch = options_.drop_last ? entry.source->smallest_shard_length() / count
                                                   : (entry.source->largest_shard_length() + count - 1) / count;
      if (lane->batches_per_epoch == 0)
        throw ConfigError("sources[" + std::to_string(index) + "].count",
                          std::to_string(count) + " per batch is more than the shard's " +
                              std::to_string(entry.source->smallest_shard_length()) +
                              " items, and drop_last leaves no batch");
    }
    lane->pool_size = static_cast<std::uint32_t>(
        options_.deterministic ? static_cast<std::size_t>(entry.count) * options_.batches_in_flight : pool);
    if (!options_.deterministic) {  // deterministic producers write into the batch ring: no pool
      lane->pool_pixels.resize(pool * options_.sample_bytes);
      lane->pool_records.resize(pool);
      for (std::uint32_t buffer = 0; buffer < pool; ++buffer) queue_call::enqueue(lane->free_buffers, buffer);
    }
    lane->source = std::move(entry.source);
    batch_size_ += entry.count;
    total_pool += pool;
    producers += static_cast<std::size_t>(entry.threads);
    lanes_.push_back(std::move(lane));
  }
  pending_.reserve(total_pool);
  filled_per_lane_.assign(lanes_.size(), 0);
  const std::size_t ring = static_cast<std::size_t>(options_.batches_in_flight);
  queues_ = std::make_unique<Queues>(total_pool, ring, producers);
  batch_images_ =
      HostBuffer(ring * static_cast<std::size_t>(batch_size_) * options_.sample_bytes, options_.pinned_memory);
  create_batch_slots(ring);
  create_mixup();
  if (options_.output_device >= 0) {
    GENINT_CHECK(batch_images_.pinned(),
                 "a device output needs pinned host batch buffers: its copies are asynchronous");
    device_ring_ = std::make_unique<DeviceBatchRing>(options_.output_device, ring,
                                                     static_cast<std::size_t>(batch_size_), options_.sample_bytes);
  }
  start_threads();
}

// One slot per batch in flight, each a view into the one host buffer; weights and sources never change.
void LoaderPipeline::create_batch_slots(std::size_t ring) {
  for (std::size_t index = 0; index < ring; ++index) {
    auto slot = std::make_unique<BatchSlot>();
    slot->images = static_cast<std::uint8_t*>(batch_images_.data()) +
                   index * static_cast<std::size_t>(batch_size_) * options_.sample_bytes;
    const auto size = static_cast<std::size_t>(batch_size_);
    slot->labels.resize(size);
    slot->weights.resize(size);
    slot->sources.resize(size);
    slot->items.resize(size);
    slot->interventions.resize(size);
    slot->records.resize(size);
    slot->mixup_partners.resize(size);
    for (std::size_t sample = 0; sample < size; ++sample)
      slot->mixup_partners[sample] = static_cast<std::int32_t>(sample);
    slot->mixup_partner_labels.resize(size);
    slot->mixup_lambdas.assign(size, 1.0f);
    slot->auto_augment_sub_policies.assign(size, -1);
    slot->auto_augment_ops.resize(size);
    slot->transfer_alphas.assign(size, -1.0f);
    slot->pair_arrivals = std::make_unique<std::atomic<std::uint8_t>[]>(size);
    for (std::size_t sample = 0; sample < size; ++sample) slot->pair_arrivals[sample].store(0);
    slot->fill_batch.store(index);
    for (const auto& lane : lanes_)
      for (int sample = 0; sample < lane->count; ++sample) {
        slot->weights[static_cast<std::size_t>(lane->offset + sample)] = lane->weight;
        slot->sources[static_cast<std::size_t>(lane->offset + sample)] = static_cast<std::int32_t>(lane->kind);
      }
    slots_.push_back(std::move(slot));
    if (!options_.deterministic) queue_call::enqueue(queues_->free_slots, static_cast<std::uint32_t>(index));
  }
}

// Mixup pairs samples within each natural source: a sample and its partner then share a source, so they share
// the source's loss weight, and generated samples keep the pixels their records describe.
void LoaderPipeline::create_mixup() {
  if (options_.mixup_alpha <= 0.0) return;
  std::vector<BatchMixup::SourceRange> mixed;
  for (const auto& lane : lanes_)
    if (lane->kind == SourceKind::Natural && lane->count >= 2)
      mixed.push_back({lane->offset, lane->count, lane->index});
  GENINT_CHECK(!mixed.empty(), "Mixup needs a natural source with 2 samples or more per batch");
  mixup_ = std::make_unique<BatchMixup>(options_.mixup_alpha, options_.seed, std::move(mixed), options_.sample_bytes,
                                        options_.float_samples);
  for (const auto& lane : lanes_) lane->mixup_range = mixup_->mixed_source(lane->index);
}

LoaderPipeline::~LoaderPipeline() {
  stop();
  for (std::thread& thread : threads_)
    if (thread.joinable()) thread.join();
}

void LoaderPipeline::start_threads() {
  try {
    for (const auto& lane : lanes_)
      for (int worker = 0; worker < lane->threads; ++worker)
        threads_.emplace_back([this, &lane_ref = *lane, worker] { worker_loop(lane_ref, worker); });
    threads_.emplace_back([this] { assembler_loop(); });
  } catch (...) {
    stop();
    for (std::thread& thread : threads_) thread.join();
    throw;
  }
}

void LoaderPipeline::stop() {
  stopping_.store(true, std::memory_order_release);
}

void LoaderPipeline::fail(std::exception_ptr error) {
  {
    const std::lock_guard<std::mutex> lock(error_mutex_);
    if (!first_error_) first_error_ = error;
  }
  stop();
}

void LoaderPipeline::throw_if_failed() const {
  const std::lock_guard<std::mutex> lock(error_mutex_);
  if (first_error_) std::rethrow_exception(first_error_);
}

std::uint64_t LoaderPipeline::epoch_of_batch(std::uint64_t batch_index) const {
  for (const auto& lane : lanes_)
    if (lane->batches_per_epoch > 0) return batch_index / lane->batches_per_epoch;
  return 0;
}

// Task t of a source is slot t % count of batch t / count. For a finite source that batch lies in epoch
// batch / batches_per_epoch; positions past the shard's end (padding) wrap to its start. A retry
// (attempt > 0) substitutes a position drawn from (seed, epoch, position, attempt). An endless source's position
// is global across ranks (t · world + rank); seeds take the global position of finite sources' samples too.
void LoaderPipeline::prepare_request(Lane& lane, std::uint64_t task, std::uint32_t attempt, std::uint8_t* pixels,
                                     SampleRecord* record, SampleRequest& request) const {
  const auto count = static_cast<std::uint64_t>(lane.count);
  const auto world = static_cast<std::uint64_t>(options_.shard_world_size);
  const auto rank = static_cast<std::uint64_t>(options_.shard_rank);
  const std::uint64_t batch = task / count;
  request.epoch = epoch_of_batch(batch);
  std::uint64_t global_position = 0;
  if (lane.epoch_length > 0) {
    request.epoch = batch / lane.batches_per_epoch;
    request.position = ((batch % lane.batches_per_epoch) * count + task % count) % lane.epoch_length;
    if (attempt > 0)
      request.position = mix_seed(options_.seed, request.epoch, request.position, attempt) % lane.epoch_length;
    global_position = request.position * world + rank;
  } else {
    request.position = task * world + rank;
    global_position = request.position;
  }
  request.attempt = attempt;
  request.seed = mix_seed(mix_seed(options_.seed, lane.index + 1, request.epoch, global_position), attempt);
  request.stream_index = task;
  request.source_seed = mix_seed(options_.seed, source_seed_tag, lane.index + 1);
  request.pixels = pixels;
  request.record = record;
  *request.record = SampleRecord{};
  request.delivered = false;
  request.stage_uint8_hwc = false;
}

// Arrival mode (the loop below) goes through the lane's pool and the ready queue, and the assembler copies;
// deterministic mode writes in place.
void LoaderPipeline::worker_loop(Lane& lane, int worker_index) {
  try {
    const std::unique_ptr<SampleProducer> producer =
        lane.source->make_producer(worker_index, ProducerContext{&lane.statistics, &stopping_});
    if (options_.deterministic) {
      produce_in_place(lane, *producer);
      return;
    }
    const std::size_t chunk = std::max<std::size_t>(1, lane.source->chunk_size());
    std::vector<std::uint32_t> buffers(chunk);
    std::vector<SampleRequest> requests(chunk);
    std::vector<ReadySample> ready(chunk);
    moodycamel::ProducerToken token(queues_->ready_samples);
    int consecutive_skips = 0;
    while (!stopping_.load(std::memory_order_acquire)) {
      const std::size_t count =
          queue_call::wait_dequeue_bulk_timed(lane.free_buffers, buffers.data(), chunk, stop_check_interval);
      if (count == 0) continue;
      const std::uint64_t first_task = lane.next_task.fetch_add(count, std::memory_order_relaxed);
      std::size_t ready_count = 0;
      produce_chunk(lane, *producer, requests.data(), buffers.data(), first_task, count, ready.data(), ready_count,
                    consecutive_skips);
      if (ready_count > 0) queue_call::enqueue_bulk(queues_->ready_samples, token, ready.data(), ready_count);
    }
  } catch (...) {
    fail(std::current_exception());
  }
}

// Produces one chunk in arrival mode: a skipped sample's buffer goes back to the pool and the next task
// fills the slot instead.
void LoaderPipeline::produce_chunk(Lane& lane, SampleProducer& producer, SampleRequest* requests,
                                   const std::uint32_t* buffers, std::uint64_t first_task, std::size_t count,
                                   ReadySample* ready, std::size_t& ready_count, int& consecutive_skips) {
  for (std::size_t index = 0; index < count; ++index) {
    const std::size_t buffer = buffers[index];
    prepare_request(lane, first_task + index, 0, lane.pool_pixels.data() + buffer * options_.sample_bytes,
                    &lane.pool_records[buffer], requests[index]);
  }
  producer.produce(requests, count);
  for (std::size_t index = 0; index < count; ++index) {
    if (requests[index].delivered) {
      consecutive_skips = 0;
      ready[ready_count++] = ReadySample{lane.index, buffers[index], first_task + index};
      continue;
    }
    if (stopping_.load(std::memory_order_relaxed)) return;
    if (++consecutive_skips >= options_.max_attempts)
      throw_unusable_data(lane.kind, requests[index].epoch, options_.max_attempts);
    queue_call::enqueue(lane.free_buffers, buffers[index]);
  }
}

// Hands a complete batch to the trainer. With a device output its copy is queued first, on the loader's stream:
// the assembler goes straight on to the next batch while the copy runs, and the trainer orders its own stream
// after the copy's event.
void LoaderPipeline::publish(std::uint32_t slot_index) {
  BatchSlot& slot = *slots_[slot_index];
  if (mixup_ && !options_.deterministic)  // deterministic mode mixed each pair as it completed (mix_in_place)
    mixup_->mix(slot.index.load(), slot.images, batch_size_, slot.labels.data(), slot.mixup_partners.data(),
                slot.mixup_partner_labels.data(), slot.mixup_lambdas.data());
  if (device_ring_) device_ring_->start_copy(slot_index, slot.images, slot.labels.data(), slot.weights.data());
  queue_call::enqueue(queues_->ready_slots, slot_index);
}

void LoaderPipeline::assembler_loop() {
  try {
    if (options_.deterministic) {
      publish_in_order();
      return;
    }
    moodycamel::ConsumerToken token(queues_->free_slots);
    moodycamel::ConsumerToken sample_token(queues_->ready_samples);
    for (std::uint64_t batch_index = 0; !stopping_.load(std::memory_order_acquire);) {
      std::uint32_t slot_index = 0;
      if (!queue_call::wait_dequeue_timed(queues_->free_slots, token, slot_index, stop_check_interval)) continue;
      BatchSlot& slot = *slots_[slot_index];
      if (!assemble_batch(batch_index, slot, sample_token)) return;
      publish(slot_index);
      ++batch_index;
    }
  } catch (...) {
    fail(std::current_exception());
  }
}

// Arrival mode: copies one arrived sample into the source's next free slot of the batch and returns its
// pool buffer; false when the source's slots in this batch are already full.
bool LoaderPipeline::try_place(const ReadySample& sample, BatchSlot& slot, std::vector<int>& filled) {
  Lane& lane = *lanes_[sample.lane];
  if (filled[sample.lane] == lane.count) return false;
  const int within_source = filled[sample.lane];
  ++filled[sample.lane];
  const auto position = static_cast<std::size_t>(lane.offset + within_source);
  std::memcpy(slot.images + position * options_.sample_bytes,
              lane.pool_pixels.data() + static_cast<std::size_t>(sample.buffer) * options_.sample_bytes,
              options_.sample_bytes);
  spread_record(lane.pool_records[sample.buffer], slot, position);
  queue_call::enqueue(lane.free_buffers, sample.buffer);
  return true;
}

bool LoaderPipeline::assemble_batch(std::uint64_t batch_index, BatchSlot& slot, moodycamel::ConsumerToken& token) {
  std::vector<int>& filled = filled_per_lane_;
  std::fill(filled.begin(), filled.end(), 0);
  int missing = batch_size_;
  for (std::size_t index = 0; index < pending_.size();) {
    if (try_place(pending_[index], slot, filled)) {
      --missing;
      pending_[index] = pending_.back();
      pending_.pop_back();
    } else {
      ++index;
    }
  }
  ReadySample incoming[64];
  while (missing > 0) {
    const std::size_t count =
        queue_call::wait_dequeue_bulk_timed(queues_->ready_samples, token, incoming, 64, stop_check_interval);
    if (stopping_.load(std::memory_order_acquire)) return false;
    for (std::size_t index = 0; index < count; ++index) {
      if (try_place(incoming[index], slot, filled))
        --missing;
      else
        pending_.push_back(incoming[index]);
    }
  }
  slot.index = batch_index;
  slot.epoch = epoch_of_batch(batch_index);
  return true;
}

BatchView LoaderPipeline::next_batch() {
  std::uint32_t slot_index = 0;
  for (;;) {
    throw_if_failed();
    if (stopping_.load(std::memory_order_acquire)) throw StoppedError("the loader was stopped");
    if (borrowed_.load() >= static_cast<int>(slots_.size()))
      throw MisuseError("all " + std::to_string(slots_.size()) +
                        " batch buffers are borrowed: release a batch before asking for the next");
    if (options_.deterministic) throw_if_next_buffer_borrowed();
    if (queue_call::wait_dequeue_timed(queues_->ready_slots, slot_index, stop_check_interval)) break;
  }
  handed_out_.fetch_add(1);
  BatchSlot& slot = *slots_[slot_index];
  // Pairs with the producers' count: their pixels happen-before the trainer's reads without relying on the queue.
  if (options_.deterministic) (void)slot.filled.load(std::memory_order_acquire);
  slot.borrower.store(std::this_thread::get_id(), std::memory_order_relaxed);  // published by the store below
  slot.borrowed.store(true, std::memory_order_release);
  borrowed_.fetch_add(1);
  // Counted when handed to the trainer, so images/s is what the trainer receives, not what is prefetched.
  for (const auto& lane : lanes_) lane->statistics.add_delivered(static_cast<std::uint64_t>(lane->count));
  BatchView view;
  view.index = slot.index.load();
  view.epoch = slot.epoch;
  view.ring_slot = slot_index;
  view.size = batch_size_;
  view.images = slot.images;
  view.labels = slot.labels.data();
  view.weights = slot.weights.data();
  view.sources = slot.sources.data();
  view.items = slot.items.data();
  view.interventions = slot.interventions.data();
  view.extras = slot_extras(slot_index);
  if (device_ring_) view.device = device_ring_->pointers(slot_index);
  return view;
}

// Deterministic mode: batch k is made in the buffer of batch k − ring, so while that batch is borrowed batch k
// cannot be made. Held by another thread, it will come back: the call waits (rechecking each interval). Held by
// the calling thread, it never would: the call fails now, naming it. Every waiter needs that same batch, so a
// holder waiting here too is refused on its next check, and waits cannot form a cycle.
void LoaderPipeline::throw_if_next_buffer_borrowed() const {
  const std::uint64_t next = handed_out_.load();
  const std::uint64_t ring = slots_.size();
  if (next < ring) return;
  const BatchSlot& slot = *slots_[next % ring];
  if (!slot.borrowed.load(std::memory_order_acquire) || slot.index.load() + ring != next) return;
  if (slot.borrower.load(std::memory_order_relaxed) != std::this_thread::get_id()) return;
  throw MisuseError("batch " + std::to_string(next - ring) +
                    " is still borrowed by this thread, and deterministic mode makes batch " + std::to_string(next) +
                    " in its buffer (batches_in_flight is " + std::to_string(ring) + "): release batch " +
                    std::to_string(next - ring) + " before asking for the next, or raise batches_in_flight");
}

BatchExtrasView LoaderPipeline::slot_extras(std::uint32_t ring_slot) const {
  GENINT_CHECK(ring_slot < slots_.size(), "ring slot " + std::to_string(ring_slot) + " does not exist");
  const BatchSlot& slot = *slots_[ring_slot];
  BatchExtrasView extras;
  extras.mixup = mixup_ != nullptr;
  extras.mixup_partners = slot.mixup_partners.data();
  // Without Mixup every sample is its own partner: the partner labels are the labels themselves.
  extras.mixup_partner_labels = mixup_ ? slot.mixup_partner_labels.data() : slot.labels.data();
  extras.mixup_lambdas = slot.mixup_lambdas.data();
  extras.auto_augment_sub_policies = slot.auto_augment_sub_policies.data();
  extras.auto_augment_ops = slot.auto_augment_ops.data();
  extras.transfer_alphas = slot.transfer_alphas.data();
  return extras;
}

BatchExtrasView LoaderPipeline::batch_extras(std::uint32_t ring_slot, std::uint64_t batch_index) const {
  check_batch_borrowed(ring_slot, batch_index);
  return slot_extras(ring_slot);
}

void LoaderPipeline::check_batch_borrowed(std::uint32_t ring_slot, std::uint64_t batch_index) const {
  if (ring_slot >= slots_.size() || slots_[ring_slot]->index.load() != batch_index ||
      !slots_[ring_slot]->borrowed.load(std::memory_order_acquire))
    throw MisuseError("batch " + std::to_string(batch_index) + " (ring slot " + std::to_string(ring_slot) +
                      ") is not borrowed: was it released already, or the batch struct overwritten?");
}

void LoaderPipeline::release_batch(std::uint32_t ring_slot, std::uint64_t batch_index) {
  if (ring_slot >= slots_.size())
    throw MisuseError("batch " + std::to_string(batch_index) + " names ring slot " + std::to_string(ring_slot) +
                      ", which does not exist: was the batch struct overwritten?");
  // The host slot is refilled once released: the DMA reading it must be done first (usually it long is).
  if (device_ring_) device_ring_->wait_for_copy(ring_slot);
  BatchSlot& slot = *slots_[ring_slot];
  bool expected = true;
  // A borrowed slot is never refilled, so its index is stable while `borrowed` is true.
  if (slot.index.load() != batch_index || !slot.borrowed.compare_exchange_strong(expected, false))
    throw MisuseError("batch " + std::to_string(batch_index) + " is not borrowed: was it released twice?");
  borrowed_.fetch_sub(1);
  released_batches_.fetch_add(1, std::memory_order_relaxed);
  if (!options_.deterministic) {
    queue_call::enqueue(queues_->free_slots, ring_slot);
    return;
  }
  // Reset before the hand-over store, so a producer that sees the slot's new batch also sees the empty counts.
  slot.filled.store(0, std::memory_order_relaxed);
  if (mixup_)
    for (int sample = 0; sample < batch_size_; ++sample)
      slot.pair_arrivals[static_cast<std::size_t>(sample)].store(0, std::memory_order_relaxed);
  slot.fill_batch.store(batch_index + slots_.size(), std::memory_order_release);
  { const std::lock_guard<std::mutex> lock(slot_released_mutex_); }
  slot_released_.notify_all();
}

void LoaderPipeline::check_device_batch_borrowed(std::uint32_t ring_slot, std::uint64_t batch_index) const {
  if (!device_ring_)
    throw MisuseError("the loader has no device output: set \"output\": {\"device\": \"cuda\"} in its config");
  check_batch_borrowed(ring_slot, batch_index);
}

DeviceBatchPointers LoaderPipeline::device_batch(std::uint32_t ring_slot, std::uint64_t batch_index) const {
  check_device_batch_borrowed(ring_slot, batch_index);
  return device_ring_->pointers(ring_slot);
}

void LoaderPipeline::wait_batch_on_stream(std::uint32_t ring_slot, std::uint64_t batch_index, void* stream) const {
  check_device_batch_borrowed(ring_slot, batch_index);
  device_ring_->order_stream_after_copy(ring_slot, stream);
}

// The release point is recorded before the release itself: the slot's next copy is queued only after the
// release, so it always sees this record and waits for it on the device.
void LoaderPipeline::release_batch_on_stream(std::uint32_t ring_slot, std::uint64_t batch_index, void* stream) {
  check_device_batch_borrowed(ring_slot, batch_index);
  device_ring_->record_release(ring_slot, stream);
  release_batch(ring_slot, batch_index);
}

std::size_t LoaderPipeline::source_count() const {
  return lanes_.size();
}

const SourceStatistics& LoaderPipeline::source_statistics(std::size_t source_index) const {
  GENINT_CHECK(source_index < lanes_.size(), "source index " + std::to_string(source_index) + " is out of range");
  return lanes_[source_index]->statistics;
}

SourceSnapshot LoaderPipeline::source_snapshot(std::size_t source_index) const {
  const SourceStatistics& statistics = source_statistics(source_index);
  const Lane& lane = *lanes_[source_index];
  SourceSnapshot snapshot;
  snapshot.kind = lane.kind;
  snapshot.count_per_batch = lane.count;
  snapshot.weight = lane.weight;
  snapshot.threads = lane.threads;
  snapshot.delivered = statistics.delivered();
  const double seconds = statistics.seconds_since_start();
  snapshot.samples_per_second = seconds > 0 ? static_cast<double>(snapshot.delivered) / seconds : 0.0;
  snapshot.skipped = statistics.skipped();
  if (options_.deterministic) {
    // Claimed tasks not in a released batch: positions of the ring being written, waiting or done.
    const std::uint64_t claimed = lane.next_task.load(std::memory_order_relaxed);
    const std::uint64_t released = released_batches_.load(std::memory_order_relaxed) * lane.count;
    snapshot.buffers_in_use = std::min<std::uint64_t>(claimed > released ? claimed - released : 0, lane.pool_size);
  } else {
    const std::size_t free_now = std::min<std::size_t>(lane.free_buffers.size_approx(), lane.pool_size);
    snapshot.buffers_in_use = lane.pool_size - free_now;
  }
  snapshot.pool_size = lane.pool_size;
  snapshot.batches_per_epoch = lane.batches_per_epoch;
  return snapshot;
}

std::uint64_t LoaderPipeline::ready_batches() const {
  return queues_->ready_slots.size_approx();
}

}  // namespace genint::loader
