// The loader's configuration: parsed from JSON with every field validated (unknown keys, wrong types,
// ranges, batch composition that does not add up), each error naming the field.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "loader/sources/source_kind.h"

namespace genint::loader {

enum class SampleLayout { Uint8Hwc, Float32Chw };
enum class HostMemoryKind { Auto, Pinned, Pageable };
enum class OutputDevice { Host, Cuda };  // "output.device": "cpu" | "cuda"

// One entry of "sources": what every source has, plus its own keys left for its factory to validate.
struct SourceSettings {
  SourceKind kind = SourceKind::Natural;
  int count = 0;        // samples of this source in every batch (resolved from "fraction" if given)
  float weight = 1.0f;  // λ: the loss weight the trainer applies to this source's samples
  int threads = 1;      // worker threads producing for this source
  nlohmann::json own_settings = nlohmann::json::object();  // the kind-specific keys
  std::string path;                                        // "sources[0]", for error messages
};

struct LoaderConfig {
  std::uint64_t seed = 0;
  bool deterministic = true;
  int batch_size = 0;
  int image_size = 224;
  SampleLayout layout = SampleLayout::Uint8Hwc;
  int shard_rank = 0;
  int shard_world_size = 1;
  bool drop_last = true;
  int batches_in_flight = 4;  // batch buffers in the ring: borrowed + ready + being assembled
  int pool_batches = 2;       // arrival mode: each source's sample pool holds this many batches (plus one per thread)
  HostMemoryKind host_memory = HostMemoryKind::Auto;
  // Cuda: every batch is also copied into device memory on the loader's own stream (host batches stay too).
  OutputDevice output_device = OutputDevice::Host;
  int output_device_index = 0;  // "output.device_index": the CUDA device, checked against the machine at build time
  // "mixup": {"alpha": α}: pairs of each natural source's samples blended with λ ~ Beta(α, α); 0 = off.
  double mixup_alpha = 0.0;
  std::vector<SourceSettings> sources;

  std::size_t sample_bytes() const;
};

// Throws ConfigError (message names the field) on anything invalid.
LoaderConfig parse_loader_config(const nlohmann::json& config);
// Parses JSON text first; a syntax error is a ConfigError on "(root)" with the parser's position.
LoaderConfig parse_loader_config_text(const std::string& text);
// Reads the file; a missing or unreadable file is a ConfigError naming the path.
LoaderConfig parse_loader_config_file(const std::string& path);

}  // namespace genint::loader
