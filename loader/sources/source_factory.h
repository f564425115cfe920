// Builds a source from its config entry. The built-in kinds (natural, intervention, transferred) are listed once, in
// source_factory.cpp; an application's register_source_factory() for a generated kind replaces the built-in one,
// so the loader core never changes for new sources.
#pragma once

#include <functional>
#include <memory>

#include "loader/config/loader_config.h"
#include "loader/sources/sample_source.h"

namespace genint::loader {

// A factory validates settings.own_settings (throwing ConfigError naming the field) and builds the source.
using SourceFactory = std::function<std::unique_ptr<SampleSource>(const LoaderConfig&, const SourceSettings&)>;

// Thread-safe. Replaces any factory registered before for `kind`; Natural cannot be replaced.
void register_source_factory(SourceKind kind, SourceFactory factory);
void unregister_source_factory(SourceKind kind);

// Thread-safe. Throws ConfigError on "<path>.kind" when no factory exists for a generated kind.
std::unique_ptr<SampleSource> make_source(const LoaderConfig& config, const SourceSettings& settings);

}  // namespace genint::loader
