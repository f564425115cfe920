// Shared by the intervention source tests that drive a producer directly (CPU and CUDA): building a source from
// an entry's keys, and running its producer over a run of positions with per-position seeds.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "loader/sources/intervention/intervention_source.h"
#include "loader/sources/source_statistics.h"

namespace genint::testing {

struct Produced {
  std::vector<std::uint8_t> pixels;
  std::vector<loader::SampleRecord> records;
  std::size_t delivered = 0;
};

inline std::unique_ptr<loader::SampleSource> make_source(const nlohmann::json& keys, int image_size,
                                                         loader::SampleLayout layout) {
  loader::LoaderConfig config;
  config.image_size = image_size;
  config.layout = layout;
  loader::SourceSettings settings;
  settings.kind = loader::SourceKind::Intervention;
  settings.own_settings = keys;
  settings.path = "sources[1]";
  return make_intervention_source(config, settings);
}

// Seeds first_seed + i at stream positions i, handed to the producer `per_call` requests at a time (a count
// that is not a multiple of the chunk makes the source run a short chunk).
inline Produced produce(loader::SampleSource& source, std::size_t sample_bytes, std::size_t count, std::size_t per_call,
                        std::uint64_t first_seed) {
  loader::SourceStatistics statistics;
  std::atomic<bool> stop{false};
  const auto producer = source.make_producer(0, loader::ProducerContext{&statistics, &stop});
  Produced produced;
  produced.pixels.assign(count * sample_bytes, 0);
  produced.records.resize(count);
  for (std::size_t first = 0; first < count; first += per_call) {
    std::vector<loader::SampleRequest> requests(std::min(per_call, count - first));
    for (std::size_t index = 0; index < requests.size(); ++index) {
      requests[index].position = first + index;
      requests[index].seed = first_seed + first + index;
      requests[index].pixels = produced.pixels.data() + (first + index) * sample_bytes;
      requests[index].record = &produced.records[first + index];
    }
    producer->produce(requests.data(), requests.size());
    for (const auto& request : requests) produced.delivered += request.delivered ? 1 : 0;
  }
  return produced;
}

}  // namespace genint::testing
