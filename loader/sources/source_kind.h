// The three streams a batch mixes, and their names in configs, statistics and the C API.
// The numeric values are part of the C ABI (genint_source in genint.h uses the same numbers).
#pragma once

#include <string>

namespace genint::loader {

enum class SourceKind : int { Natural = 0, Intervention = 1, Transferred = 2 };
constexpr int source_kind_count = 3;

const char* source_kind_name(SourceKind kind);
// "natural", "intervention" (or "interventions"), "transferred"; throws genint::Error otherwise.
SourceKind parse_source_kind(const std::string& name);

}  // namespace genint::loader
