// Loader assembly. Host memory "auto" pins batch buffers only where a GPU can use them.
#include "loader/pipeline/loader_builder.h"

#include "loader/memory/host_memory.h"
#include "loader/pipeline/loader_errors.h"
#include "loader/source/source_factory.h"

namespace genint::loader {

std::unique_ptr<LoaderPipeline> make_loader_pipeline(const LoaderConfig& config) {
  PipelineOptions options;
  options.seed = config.seed;
  options.deterministic = config.deterministic;
  options.sample_bytes = config.sample_bytes();
  options.drop_last = config.drop_last;
  options.batches_in_flight = config.batches_in_flight;
  options.pool_batches = config.pool_batches;
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
  for (const SourceSettings& settings : config.sources) {
    PipelineSource entry;
    entry.source = make_source(config, settings);
    entry.count = settings.count;
    entry.weight = settings.weight;
    entry.threads = settings.threads;
    sources.push_back(std::move(entry));
  }
  return std::make_unique<LoaderPipeline>(options, std::move(sources));
}

}  // namespace genint::loader
