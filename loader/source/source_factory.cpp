// The factory registry: a mutex-guarded map, touched only when loaders are created, never per sample.
#include "loader/source/source_factory.h"

#include <map>
#include <mutex>

#include "gan/source/builtin_generated_sources.h"
#include "loader/pipeline/loader_errors.h"
#include "loader/source/natural_source.h"

namespace genint::loader {
namespace {
std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}
std::map<SourceKind, SourceFactory>& registry() {
  static std::map<SourceKind, SourceFactory> factories;
  return factories;
}

// Installs the built-in generated sources once, before the registry is first read or changed, so that a
// factory registered by the application always replaces the built-in one and never the other way round.
void install_builtin_factories() {
  static std::once_flag installed;
  std::call_once(installed, [] {
    auto builtins = genint::builtin_generated_source_factories();
    const std::lock_guard<std::mutex> lock(registry_mutex());
    for (auto& [kind, factory] : builtins) registry().emplace(kind, std::move(factory));
  });
}
}  // namespace

void register_source_factory(SourceKind kind, SourceFactory factory) {
  GENINT_CHECK(kind != SourceKind::Natural, "the natural source is built in and cannot be replaced");
  GENINT_CHECK(static_cast<bool>(factory), "register_source_factory needs a callable factory");
  install_builtin_factories();
  const std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[kind] = std::move(factory);
}

void unregister_source_factory(SourceKind kind) {
  install_builtin_factories();
  const std::lock_guard<std::mutex> lock(registry_mutex());
  registry().erase(kind);
}

std::unique_ptr<SampleSource> make_source(const LoaderConfig& config, const SourceSettings& settings) {
  if (settings.kind == SourceKind::Natural) return make_natural_source(config, settings);
  install_builtin_factories();
  SourceFactory factory;
  {
    const std::lock_guard<std::mutex> lock(registry_mutex());
    const auto found = registry().find(settings.kind);
    if (found != registry().end()) factory = found->second;
  }
  if (!factory)
    throw ConfigError(settings.path + ".kind", std::string("no '") + source_kind_name(settings.kind) +
                                                   "' source is available in this build (none is built in, "
                                                   "and none was registered or it was unregistered)");
  return factory(config, settings);
}

}  // namespace genint::loader
