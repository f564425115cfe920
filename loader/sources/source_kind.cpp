// Names of the loader's streams, used by the config parser and the statistics output.
// Parsing accepts the plural "interventions" because the paper and users say it that way.
#include "loader/sources/source_kind.h"

#include "nn/core/error.h"

namespace genint::loader {

namespace {
const char* const kind_names[source_kind_count] = {"natural", "intervention", "transferred"};
}  // namespace

const char* source_kind_name(SourceKind kind) {
  const auto index = static_cast<int>(kind);
  return index >= 0 && index < source_kind_count ? kind_names[index] : "unknown";
}

SourceKind parse_source_kind(const std::string& name) {
  if (name == "interventions") return SourceKind::Intervention;
  for (int index = 0; index < source_kind_count; ++index)
    if (name == kind_names[index]) return static_cast<SourceKind>(index);
  throw Error("unknown source '" + name + "' (expected natural, intervention or transferred)");
}

}  // namespace genint::loader
