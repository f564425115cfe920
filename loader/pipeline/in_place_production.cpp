// Deterministic mode: producers write every sample at its final place in the batch ring (no pool, no copy),
// and the assembler hands complete batches to the trainer in batch order.
#include <algorithm>
#include <mutex>

#include "loader/pipeline/loader_pipeline_state.h"

namespace genint::loader {
using pipeline_detail::stop_check_interval;
using pipeline_detail::throw_unusable_data;

// A chunk may span several batches; it must never need the slot of the batch a whole ring after its first
// (that slot is released only after the chunk's own first batch), so a chunk covers at most ring - 1 batches.
void LoaderPipeline::produce_in_place(Lane& lane, SampleProducer& producer) {
  const std::size_t ring_span = static_cast<std::size_t>(lane.count) * (slots_.size() - 1);
  std::size_t chunk = std::min(std::max<std::size_t>(1, lane.source->chunk_size()), ring_span);
  // Mixup: one producer makes both images of a pair, so their blend finds both in its own core's cache. With an
  // even count and an even chunk every chunk holds whole pairs of one batch.
  const bool pairs_in_chunks = lane.mixup_range != nullptr && lane.count % 2 == 0;
  if (pairs_in_chunks && chunk % 2 == 1 && chunk + 1 <= ring_span) ++chunk;
  // Float32 pairs are blended as the uint8 images they are made from (a quarter of the bytes), in staging memory
  // allocated here, once per thread.
  const bool staged = pairs_in_chunks && chunk % 2 == 0 && mixup_->float_samples() && producer.can_stage_uint8_hwc();
  std::vector<std::uint8_t> staging(staged ? chunk * (options_.sample_bytes / sizeof(float)) : 0);
  std::vector<SampleRequest> requests(chunk);
  const auto count = static_cast<std::uint64_t>(lane.count);
  int consecutive_skips = 0;
  while (!stopping_.load(std::memory_order_acquire)) {
    const std::uint64_t first_task = lane.next_task.fetch_add(chunk, std::memory_order_relaxed);
    for (std::uint64_t batch = first_task / count; batch <= (first_task + chunk - 1) / count; ++batch)
      if (!wait_until_slot_accepts(batch)) return;
    produce_chunk_in_place(lane, producer, requests.data(), staged ? staging.data() : nullptr, first_task, chunk,
                           consecutive_skips);
  }
}

// Every sample of the chunk is written at its final place: batch task / count, position offset + task % count.
// A skipped sample is retried with substitutes at that same place until one is delivered. With `staging` the chunk
// is whole Mixup pairs, made as uint8 images there first.
void LoaderPipeline::produce_chunk_in_place(Lane& lane, SampleProducer& producer, SampleRequest* requests,
                                            std::uint8_t* staging, std::uint64_t first_task, std::size_t count,
                                            int& consecutive_skips) {
  const auto per_batch = static_cast<std::uint64_t>(lane.count);
  const std::size_t staged_bytes = options_.sample_bytes / sizeof(float);
  for (std::size_t index = 0; index < count; ++index) {
    const std::uint64_t task = first_task + index;
    BatchSlot& slot = *slots_[(task / per_batch) % slots_.size()];
    const auto position = static_cast<std::size_t>(lane.offset) + static_cast<std::size_t>(task % per_batch);
    prepare_request(lane, task, 0, slot.images + position * options_.sample_bytes, &slot.records[position],
                    requests[index]);
    if (staging == nullptr) continue;
    requests[index].pixels = staging + index * staged_bytes;
    requests[index].stage_uint8_hwc = true;
  }
  producer.produce(requests, count);
  if (staging != nullptr) {
    for (std::size_t index = 0; index + 1 < count; index += 2)
      if (!finish_staged_pair(lane, producer, requests + index, first_task + index, consecutive_skips)) return;
    return;
  }
  for (std::size_t index = 0; index < count; ++index) {
    if (!retry_until_delivered(lane, producer, requests[index], first_task + index, consecutive_skips)) return;
    record_in_place(lane, first_task + index);
  }
}

// A staged pair (tasks `task` and `task` + 1): both images in, blended as uint8, then each made a float32 sample in
// its place. When either was skipped, the delivered one is finished as it is, the other retried unstaged, and the
// pair blended in float32 by record_in_place once both are in (the same λ; pixels rounded once fewer).
bool LoaderPipeline::finish_staged_pair(Lane& lane, SampleProducer& producer, SampleRequest* pair_requests,
                                        std::uint64_t task, int& consecutive_skips) {
  const auto per_batch = static_cast<std::uint64_t>(lane.count);
  BatchSlot& slot = *slots_[(task / per_batch) % slots_.size()];
  const auto position = static_cast<std::size_t>(lane.offset) + static_cast<std::size_t>(task % per_batch);
  std::uint8_t* const samples = slot.images + position * options_.sample_bytes;
  if (pair_requests[0].delivered && pair_requests[1].delivered) {
    consecutive_skips = 0;
    spread_record(slot.records[position], slot, position);
    spread_record(slot.records[position + 1], slot, position + 1);
    mixup_->mix_staged_pair(task / per_batch, *lane.mixup_range, (static_cast<int>(position) - lane.offset) / 2,
                            pair_requests[0].pixels, pair_requests[1].pixels, options_.sample_bytes / sizeof(float),
                            slot.labels.data(), slot.mixup_partners.data(), slot.mixup_partner_labels.data(),
                            slot.mixup_lambdas.data());
    producer.finish_staged(pair_requests[0].pixels, samples);
    producer.finish_staged(pair_requests[1].pixels, samples + options_.sample_bytes);
    count_in_place(slot);
    count_in_place(slot);
    return true;
  }
  for (std::size_t member = 0; member < 2; ++member) {
    SampleRequest& request = pair_requests[member];
    std::uint8_t* const sample = samples + member * options_.sample_bytes;
    if (request.delivered) producer.finish_staged(request.pixels, sample);
    request.pixels = sample;
    request.stage_uint8_hwc = false;
    if (!retry_until_delivered(lane, producer, request, task + member, consecutive_skips)) return false;
    record_in_place(lane, task + member);
  }
  return true;
}

// False when the loader is stopping; throws when max_attempts samples in a row were skipped.
bool LoaderPipeline::retry_until_delivered(Lane& lane, SampleProducer& producer, SampleRequest& request,
                                           std::uint64_t task, int& consecutive_skips) {
  for (std::uint32_t attempt = 1; !request.delivered; ++attempt) {
    if (stopping_.load(std::memory_order_relaxed)) return false;
    if (++consecutive_skips >= options_.max_attempts)
      throw_unusable_data(lane.kind, request.epoch, options_.max_attempts);
    prepare_request(lane, task, attempt, request.pixels, request.record, request);
    producer.produce(&request, 1);
  }
  consecutive_skips = 0;
  return true;
}

// Spreads the record into the batch's arrays and counts the sample in; the batch's last sample wakes the
// assembler. The count's release ordering is what publishes the pixels and record to the trainer.
void LoaderPipeline::record_in_place(Lane& lane, std::uint64_t task) {
  const auto per_batch = static_cast<std::uint64_t>(lane.count);
  BatchSlot& slot = *slots_[(task / per_batch) % slots_.size()];
  const auto position = static_cast<std::size_t>(lane.offset) + static_cast<std::size_t>(task % per_batch);
  spread_record(slot.records[position], slot, position);
  if (mixup_) mix_in_place(lane, slot, position, task / per_batch);
  count_in_place(slot);
}

void LoaderPipeline::count_in_place(BatchSlot& slot) {
  if (slot.filled.fetch_add(1, std::memory_order_acq_rel) + 1 == batch_size_) {
    { const std::lock_guard<std::mutex> lock(batch_complete_mutex_); }
    batch_complete_.notify_one();
  }
}

// Mixup in deterministic mode: a sample's partner label starts as its own; the producer that completes a pair blends
// it at once, while both images are fresh in cache, and writes both samples' extras. The pair's counter orders the
// first sample's pixels and label before the blend; the blend comes before this sample's count, hence before the
// batch is complete.
void LoaderPipeline::mix_in_place(const Lane& lane, BatchSlot& slot, std::size_t position,
                                  std::uint64_t batch_index) const {
  slot.mixup_partner_labels[position] = slot.labels[position];
  if (lane.mixup_range == nullptr) return;
  const int pair = (static_cast<int>(position) - lane.offset) / 2;
  if (pair >= lane.count / 2) return;  // the odd one out stays unmixed
  std::atomic<std::uint8_t>& arrivals = slot.pair_arrivals[static_cast<std::size_t>(lane.offset + 2 * pair)];
  if (arrivals.fetch_add(1, std::memory_order_acq_rel) != 1) return;  // its partner is not in yet
  mixup_->mix_pair(batch_index, *lane.mixup_range, pair, slot.images, slot.labels.data(), slot.mixup_partners.data(),
                   slot.mixup_partner_labels.data(), slot.mixup_lambdas.data());
}

// The slot is ahead of `batch_index` only after that batch was released, which needs this caller's sample,
// so "not yet" is the only other state. Timed waits: a lost wake-up costs one interval, never a hang.
bool LoaderPipeline::wait_until_slot_accepts(std::uint64_t batch_index) {
  const BatchSlot& slot = *slots_[batch_index % slots_.size()];
  if (slot.fill_batch.load(std::memory_order_acquire) == batch_index) return true;
  std::unique_lock<std::mutex> lock(slot_released_mutex_);
  while (slot.fill_batch.load(std::memory_order_acquire) != batch_index) {
    if (stopping_.load(std::memory_order_acquire)) return false;
    slot_released_.wait_for(lock, stop_check_interval);
  }
  return true;
}

bool LoaderPipeline::wait_until_batch_complete(std::uint64_t batch_index) {
  const BatchSlot& slot = *slots_[batch_index % slots_.size()];
  const auto complete = [&] {
    return slot.fill_batch.load(std::memory_order_acquire) == batch_index &&
           slot.filled.load(std::memory_order_acquire) == batch_size_;
  };
  if (complete()) return true;
  std::unique_lock<std::mutex> lock(batch_complete_mutex_);
  while (!complete()) {
    if (stopping_.load(std::memory_order_acquire)) return false;
    batch_complete_.wait_for(lock, stop_check_interval);
  }
  return true;
}

// Deterministic mode's assembler copies nothing: it hands complete batches to the trainer in order.
void LoaderPipeline::publish_in_order() {
  for (std::uint64_t batch_index = 0; wait_until_batch_complete(batch_index); ++batch_index) {
    const auto slot_index = static_cast<std::uint32_t>(batch_index % slots_.size());
    BatchSlot& slot = *slots_[slot_index];
    slot.index.store(batch_index);
    slot.epoch = epoch_of_batch(batch_index);
    publish(slot_index);
  }
}
}  // namespace genint::loader
