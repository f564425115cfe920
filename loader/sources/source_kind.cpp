// Names of the loader's streams, used by the config parser and the statistics output.
// Parsing accepts the plural "interventions" because the paper and users say it that way.
#include "loader/sources/source_kind.h"

#include "nn/core/error.h"

namespace genint::loader {

const char* source_kind_name(SourceKind kind) {
  switch (kind) {
    case SourceKind::Natural: return "natural";
    case SourceKind::Intervention: return "intervention";
    case SourceKind::Transferred: return "transferred";
  }
  return "unknown";
}

SourceKind parse_source_kind(const std::string& name) {
  if (name == "natural") return SourceKind::Natural;
  if (name == "intervention" || name == "interventions") return SourceKind::Intervention;
  if (name == "transferred") return SourceKind::Transferred;
  throw Error("unknown source '" + name + "' (expected natural, intervention or transferred)");
}

}  // namespace genint::loader
