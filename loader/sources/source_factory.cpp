// The factory registry: the one place the built-in sources are listed, a mutex-guarded map touched only
// when loaders are created, never per sample.
#include "loader/sources/source_factory.h"

#include <map>
#include <mutex>

#include "loader/sources/intervention/intervention_source.h"
#include "loader/sources/natural/natural_source.h"
#include "loader/sources/transferred/transferred_source.h"
#include "nn/core/error.h"

namespace genint::loader {
namespace {
std::mutex& registry_mutex() {
  static std::mutex mutex;
  return mutex;
}
// Built in: natural, intervention and transferred. An application's factory for a generated kind replaces the
// built-in one; natural cannot be replaced or removed.
std::map<SourceKind, SourceFactory>& registry() {
  static std::map<SourceKind, SourceFactory> factories = {{SourceKind::Natural, &make_natural_source},
                                                          {SourceKind::Intervention, &make_intervention_source},
                                                          {SourceKind::Transferred, &make_transferred_source}};
  return factories;
}
}  // namespace

void register_source_factory(SourceKind kind, SourceFactory factory) {
  GENINT_CHECK(kind != SourceKind::Natural, "the natural source is built in and cannot be replaced");
  GENINT_CHECK(static_cast<bool>(factory), "register_source_factory needs a callable factory");
  const std::lock_guard<std::mutex> lock(registry_mutex());
  registry()[kind] = std::move(factory);
}

void unregister_source_factory(SourceKind kind) {
  if (kind == SourceKind::Natural) return;  // built in for good: a loader always has its natural stream
  const std::lock_guard<std::mutex> lock(registry_mutex());
  registry().erase(kind);
}

std::unique_ptr<SampleSource> make_source(const LoaderConfig& config, const SourceSettings& settings) {
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
