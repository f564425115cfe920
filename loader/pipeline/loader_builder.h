// From a validated config to a running pipeline: builds each source through its factory and resolves
// the pipeline options (sample size, host memory kind).
#pragma once

#include <memory>

#include "loader/config/loader_config.h"
#include "loader/pipeline/loader_pipeline.h"

namespace genint::loader {

// Throws ConfigError for settings that only turn out wrong now (a missing dataset root, pinned memory
// without a GPU, a shard smaller than a batch).
std::unique_ptr<LoaderPipeline> make_loader_pipeline(const LoaderConfig& config);

}  // namespace genint::loader
