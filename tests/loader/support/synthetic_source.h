// Test-only sources: a deterministic synthetic image source standing in for a generated (or finite)
// stream, so the pipeline's mixing, ordering and shutdown are tested without decoding or a generator.
#pragma once

#include <atomic>
#include <chrono>
#include <cstring>
#include <thread>

#include "loader/order/shard_order.h"
#include "loader/sources/sample_source.h"
#include "loader/sources/source_statistics.h"

namespace genint::loader::testing {

struct SyntheticSourceOptions {
  SourceKind kind = SourceKind::Intervention;
  std::uint64_t items = 0;  // 0: endless; else a finite dataset of this many items (sharded)
  int rank = 0;
  int world_size = 1;
  std::size_t sample_bytes = 8 * 8 * 3;
  std::size_t chunk = 1;
  // Every item whose index is divisible by this is "unreadable" (skipped); 0 = none.
  std::uint64_t skip_every = 0;
  // Makes producers sleep a seed-dependent number of microseconds: scrambles arrival order.
  int jitter_microseconds = 0;
  // Producers block (sleeping in short steps) until this is cleared: models a stuck generator.
  std::atomic<bool>* hold = nullptr;
  // Pixels are floats in [−2, 2) (a float32 layout's normalised values) instead of arbitrary bytes.
  bool float_pixels = false;
  // Natural samples also carry their request's seed in intervention.latent_seed (generated ones always do).
  bool seed_in_record = false;
};

// Pixels are a pure function of (item, seed); labels are item % 1000; generated records carry an
// intervention derived from the seed, as a real generator's would.
class SyntheticSource : public SampleSource {
 public:
  explicit SyntheticSource(SyntheticSourceOptions options)
      : options_(options), order_(options.items > 0 ? options.items : 1, 99, options.rank, options.world_size) {}

  SourceKind kind() const override { return options_.kind; }
  std::uint64_t epoch_length() const override { return options_.items > 0 ? order_.shard_size() : 0; }
  std::uint64_t smallest_shard_length() const override { return options_.items > 0 ? order_.smallest_shard_size() : 0; }
  std::uint64_t largest_shard_length() const override { return options_.items > 0 ? order_.largest_shard_size() : 0; }
  std::size_t chunk_size() const override { return options_.chunk; }

  std::unique_ptr<SampleProducer> make_producer(int, ProducerContext context) override {
    return std::make_unique<Producer>(*this, context);
  }

 private:
  class Producer : public SampleProducer {
   public:
    Producer(const SyntheticSource& source, ProducerContext context) : source_(source), context_(context) {}
    void produce(SampleRequest* requests, std::size_t count) override {
      const SyntheticSourceOptions& options = source_.options_;
      // A stuck generator that still honours the stop flag, as the interface asks of long producers.
      while (options.hold != nullptr && options.hold->load() && !context_.stopping())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      if (context_.stopping()) return;
      for (std::size_t index = 0; index < count; ++index) produce_one(requests[index], options);
    }

   private:
    void produce_one(SampleRequest& request, const SyntheticSourceOptions& options) {
      const std::uint64_t item =
          options.items > 0 ? source_.order_.item(request.epoch, request.position) : request.position;
      if (options.jitter_microseconds > 0)
        std::this_thread::sleep_for(
            std::chrono::microseconds(request.seed % static_cast<std::uint64_t>(options.jitter_microseconds)));
      if (options.skip_every > 0 && item % options.skip_every == 0) {
        context_.statistics->record_skip("synthetic_unreadable", "item " + std::to_string(item));
        return;
      }
      std::uint64_t state = mix_seed(item, request.seed);
      if (options.float_pixels) {
        for (std::size_t value = 0; value < options.sample_bytes / sizeof(float); ++value) {
          state = mix_seed(state, value);
          const float pixel = static_cast<float>(state >> 40) / static_cast<float>(1 << 22) - 2.0f;
          std::memcpy(request.pixels + value * sizeof(float), &pixel, sizeof(float));
        }
      } else {
        for (std::size_t byte = 0; byte < options.sample_bytes; byte += 8) {
          state = mix_seed(state, byte);
          std::memcpy(request.pixels + byte, &state, std::min<std::size_t>(8, options.sample_bytes - byte));
        }
      }
      request.record->label = static_cast<std::int32_t>(item % 1000);
      request.record->item = static_cast<std::int64_t>(item);
      if (options.seed_in_record) request.record->intervention.latent_seed = request.seed;
      if (options.kind != SourceKind::Natural) {
        request.record->intervention.class_index = static_cast<std::int32_t>(item % 1000);
        request.record->intervention.latent_seed = request.seed;
        request.record->intervention.truncation = 1.0f;
        request.record->intervention.direction = static_cast<std::int32_t>(request.seed % 60);
        request.record->intervention.step = static_cast<float>(static_cast<int>(request.seed % 31) - 15);
      }
      request.delivered = true;
    }
    const SyntheticSource& source_;
    ProducerContext context_;
  };

  SyntheticSourceOptions options_;
  ShardedOrder order_;
};

}  // namespace genint::loader::testing
