// The list of built-in generated sources: today the intervention source; the transfer source joins it here.
// Kept apart from the factories themselves so the loader depends on one small function, not on their headers.
#include "gan/source/builtin_generated_sources.h"

#include "gan/source/intervention_source.h"

namespace genint {

std::vector<std::pair<loader::SourceKind, loader::SourceFactory>> builtin_generated_source_factories() {
  return {{loader::SourceKind::Intervention, &make_intervention_source}};
}

}  // namespace genint
