// Shared by the transferred source tests: the demo generator and its directions, the narrow random-weight AdaIN
// network (widths 8, 12, 16, 24), a transferred entry's keys, and a producer run over requests with stream indices.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loader/order/shard_order.h"
#include "loader/sources/source_statistics.h"
#include "loader/sources/transferred/transferred_source.h"

namespace genint::loader::testing {

inline const std::string kDemoGenerator = std::string(GENINT_DEMO_DIR) + "/generator.safetensors";
inline const std::string kDemoDirections = std::string(GENINT_DEMO_DIR) + "/directions-gen_z-pca.safetensors";
inline const std::string kNarrowAdaIN =
    std::string(GENINT_TEST_DATA_DIR) + "/golden/nn/adain_narrow_weights.safetensors";
constexpr int kDemoClasses = 10;  // the demo generator's classes

// A transferred entry's own keys (no kind/count): contents from `root`, latent-space styles from the demo generator.
inline nlohmann::json transferred_keys(const std::string& root,
                                       const nlohmann::json& extra = nlohmann::json::object()) {
  nlohmann::json keys = {{"root", root},
                         {"network", kNarrowAdaIN},
                         {"generator", kDemoGenerator},
                         {"directions", kDemoDirections},
                         {"top_k", 8},
                         {"step", 2.0},
                         {"truncation", 0.7},
                         {"alpha", {0.25, 0.9}}};
  keys.update(extra);
  return keys;
}

inline std::unique_ptr<SampleSource> make_source(const nlohmann::json& keys, int image_size, SampleLayout layout,
                                                 int count = 6, std::uint64_t seed = 5) {
  LoaderConfig config;
  config.seed = seed;
  config.image_size = image_size;
  config.layout = layout;
  SourceSettings settings;
  settings.kind = SourceKind::Transferred;
  settings.count = count;
  settings.own_settings = keys;
  settings.path = "sources[2]";
  return make_transferred_source(config, settings);
}

// Request i of epoch 0: position i, stream index i, the pipeline's seed for source 2 (lane index 2).
inline SampleRequest request_at(std::uint64_t loader_seed, std::uint64_t index, std::uint8_t* pixels,
                                SampleRecord* record) {
  SampleRequest request;
  request.epoch = 0;
  request.position = index;
  request.stream_index = index;
  request.seed = mix_seed(mix_seed(loader_seed, 3, 0, index), 0);
  request.source_seed = mix_seed(loader_seed, 0x536f75726365ull, 3);
  request.pixels = pixels;
  request.record = record;
  return request;
}

struct Produced {
  std::vector<std::uint8_t> pixels;
  std::vector<SampleRecord> records;
  std::vector<SampleRequest> requests;
  std::size_t delivered = 0;
};

// Requests 0..count-1 handed to one producer `per_call` at a time.
inline Produced produce(SampleSource& source, std::size_t sample_bytes, std::size_t count, std::size_t per_call,
                        std::uint64_t loader_seed = 5) {
  SourceStatistics statistics;
  std::atomic<bool> stop{false};
  const auto producer = source.make_producer(0, ProducerContext{&statistics, &stop});
  Produced produced;
  produced.pixels.assign(count * sample_bytes, 0);
  produced.records.resize(count);
  for (std::size_t index = 0; index < count; ++index)
    produced.requests.push_back(
        request_at(loader_seed, index, produced.pixels.data() + index * sample_bytes, &produced.records[index]));
  for (std::size_t first = 0; first < count; first += per_call) {
    const std::size_t calls = std::min(per_call, count - first);
    producer->produce(produced.requests.data() + first, calls);
  }
  for (const auto& request : produced.requests) produced.delivered += request.delivered ? 1 : 0;
  return produced;
}

}  // namespace genint::loader::testing
