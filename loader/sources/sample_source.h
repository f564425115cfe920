// The interface every producer of samples implements (the natural, BigGAN intervention and transferred sources).
// The pipeline hands a source requests naming stream positions and seeds; it fills them.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

#include "loader/sources/source_kind.h"
#include "nn/core/error.h"

namespace genint::loader {

class SourceStatistics;

// How a generated image was made (layout mirrors genint_intervention in genint.h). Natural samples keep the
// defaults: class_index −1 says "no intervention". Transferred samples carry their style's record (a natural
// style: the defaults with latent_seed = the style image's dataset index).
struct InterventionRecord {
  std::int32_t class_index = -1;
  std::int32_t reserved = 0;  // explicit: no padding bytes, whose indeterminate values would break bit-identity
  std::uint64_t latent_seed = 0;
  float truncation = 0.0f;
  std::int32_t space = 0;        // which latent the direction moves (the generator's own numbering)
  std::int32_t layer_begin = 0;  // per-layer latents [layer_begin, layer_end) received the edit
  std::int32_t layer_end = 0;
  std::int32_t direction = -1;  // component j
  float step = 0.0f;            // offset s' along it
};

// Bits of SampleRecord::auto_augment_ops (genint_batch_extras.auto_augment_ops in genint.h): which of the drawn
// sub-policy's two operations ran, and which ran with a negated magnitude.
constexpr std::uint8_t auto_augment_first_applied = 1, auto_augment_second_applied = 2;
constexpr std::uint8_t auto_augment_first_negated = 4, auto_augment_second_negated = 8;

// What a sample says about itself besides its pixels.
struct SampleRecord {
  std::int32_t label = -1;
  std::int64_t item = -1;  // natural: dataset index; generated: position in the source's stream
  InterventionRecord intervention;
  std::int32_t auto_augment_sub_policy = -1;  // the AutoAugment sub-policy drawn; -1: AutoAugment did not run
  std::uint8_t auto_augment_ops = 0;          // auto_augment_*_applied / _negated bits
  float transfer_alpha = -1.0f;               // transferred samples: the style strength α; -1 for other kinds
};

// One sample to make. `seed` is derived from (loader seed, source, epoch, global position, attempt), so the same
// request always yields the same pixels whichever thread runs it. The global position is the position across
// all ranks (position · world_size + rank, as ShardedOrder deals items), so two ranks never share a seed: their
// generated samples differ and their natural samples draw independent augmentations. World size 1: the position.
struct SampleRequest {
  std::uint64_t epoch = 0;
  // Finite sources: position in this rank's shard of the epoch. Endless (generated) sources: the global position
  // in the stream, which the ranks share out (this rank's n-th sample is position n · world_size + rank).
  std::uint64_t position = 0;
  std::uint32_t attempt = 0;  // > 0: the first choice was skipped; finite sources substitute another item
  std::uint64_t seed = 0;
  // This rank's n-th request of the source over the whole run (deterministic mode: batch · count + slot), kept
  // through epoch wrap-around and substitutes: a source that draws once per group of consecutive samples (the
  // transferred source's shared styles) keys the group on it.
  std::uint64_t stream_index = 0;
  // mix(loader seed, source): the same for every request of the source, the root of such per-group draws (with the
  // group's global index, so ranks and sources never share them).
  std::uint64_t source_seed = 0;
  std::uint8_t* pixels = nullptr;  // sample_bytes of caller memory to fill
  SampleRecord* record = nullptr;
  bool delivered = false;  // set by the producer; false = skipped (reason recorded in the statistics)
  // Set by the pipeline only where the producer can_stage_uint8_hwc(): `pixels` is staging memory for the image as
  // uint8 HWC (3 bytes per pixel), and finish_staged writes the sample later. Mixup blends float32 pairs there.
  bool stage_uint8_hwc = false;
};

// What a producer may use besides its source: where to record skips, and the loader's stop flag, which a
// long-running producer (a generator's forward pass, a wait on a device) checks so that destroying the
// loader never waits for more than the current step.
struct ProducerContext {
  SourceStatistics* statistics = nullptr;
  const std::atomic<bool>* stop_requested = nullptr;
  bool stopping() const { return stop_requested->load(std::memory_order_relaxed); }
};

// Made once per worker thread, used only by it: holds that thread's decoder, generator state, buffers.
class SampleProducer {
 public:
  virtual ~SampleProducer() = default;
  // Fills requests[0..count): pixels and record, and sets `delivered`. A failed sample that the source can
  // recover from (an unreadable file) is left undelivered; anything else throws and stops the loader.
  virtual void produce(SampleRequest* requests, std::size_t count) = 0;
  // Whether this producer fills requests with stage_uint8_hwc set, and then turns such an image into the sample's
  // own format (the pixels of a request that had no staging) with finish_staged.
  virtual bool can_stage_uint8_hwc() const { return false; }
  virtual void finish_staged(const std::uint8_t* /*hwc*/, std::uint8_t* /*pixels*/) {
    throw Error("this source cannot stage uint8 images");
  }
};

class SampleSource {
 public:
  virtual ~SampleSource() = default;
  virtual SourceKind kind() const = 0;
  // Items in one epoch of this rank's shard; 0 for an endless (generated) stream.
  virtual std::uint64_t epoch_length() const = 0;
  // The same for the smallest and largest shard over all ranks, so every rank counts the same batches.
  virtual std::uint64_t smallest_shard_length() const { return epoch_length(); }
  virtual std::uint64_t largest_shard_length() const { return epoch_length(); }
  // Requests per produce() call (a generator's forward batch); 1 for per-image sources.
  virtual std::size_t chunk_size() const { return 1; }
  // Called once per worker thread before it starts; what `context` points to outlives the producer.
  virtual std::unique_ptr<SampleProducer> make_producer(int worker_index, ProducerContext context) = 0;
};

}  // namespace genint::loader
