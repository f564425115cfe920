// Loader assembly. Host memory "auto" pins batch buffers only where a GPU can use them; a device output is
// checked against this build and machine here, before any source is built.
#include "loader/pipeline/loader_builder.h"

#include <string>

#include "loader/memory/host_memory.h"
#include "loader/sources/source_factory.h"
#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {

// -1 for host-only batches, else the CUDA device the batches are copied to.
int resolve_output_device(const LoaderConfig& config) {
  if (config.output_device == OutputDevice::Host) return -1;
  if (!cuda_backend_built())
    throw ConfigError("output.device",
                      "'cuda' needs genint built with its CUDA backend (configure with "
                      "-DGENINT_CUDA=ON); this build is CPU-only: use 'cpu'");
  const int device_count = cuda_device_count();
  if (device_count == 0)
    throw ConfigError("output.device", "'cuda' needs a CUDA device, and there is none: " + cuda_device_description());
  if (config.output_device_index >= device_count)
    throw ConfigError("output.device_index", std::to_string(config.output_device_index) + " is not below the " +
                                                 std::to_string(device_count) + " CUDA device(s) present");
  if (config.host_memory == HostMemoryKind::Pageable)
    throw ConfigError("host_memory",
                      "'pageable' cannot feed output.device 'cuda': its overlapped copies need "
                      "pinned batch buffers; use 'auto' or 'pinned'");
  return config.output_device_index;
}

}  // namespace

std::unique_ptr<LoaderPipeline> make_loader_pipeline(const LoaderConfig& config) {
  PipelineOptions options;
  options.seed = config.seed;
  options.deterministic = config.deterministic;
  options.sample_bytes = config.sample_bytes();
  options.drop_last = config.drop_last;
  options.batches_in_flight = config.batches_in_flight;
  options.pool_batches = config.pool_batches;
  options.output_device = resolve_output_device(config);
  options.shard_rank = config.shard_rank;
  options.shard_world_size = config.shard_world_size;
  options.mixup_alpha = config.mixup_alpha;
  options.float_samples = config.layout == SampleLayout::Float32Chw;
  switch (config.host_memory) {
    case HostMemoryKind::Auto: options.pinned_memory = pinned_host_memory_available(); break;
    case HostMemoryKind::Pinned:
      if (!pinned_host_memory_available())
        throw ConfigError("host_memory", "'pinned' needs genint's CUDA backend and a CUDA device; use 'auto'");
      options.pinned_memory = true;
      break;
    case HostMemoryKind::Pageable: options.pinned_memory = false; break;
  }
  std::vector<PipelineSource> sources;
  for (const SourceSettings& settings : config.sources)
    sources.push_back({make_source(config, settings), settings.count, settings.weight, settings.threads});
  return std::make_unique<LoaderPipeline>(options, std::move(sources));
}

}  // namespace genint::loader
