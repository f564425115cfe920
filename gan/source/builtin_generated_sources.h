// The generated sources this build provides (the BigGAN intervention source), handed to the loader's factory
// registry explicitly: a static registrar in a static library would be dropped by the linker.
#pragma once

#include <utility>
#include <vector>

#include "loader/source/source_factory.h"

namespace genint {

// Every built-in generated kind with its factory. Pure: the registry (source_factory.cpp) installs them once.
std::vector<std::pair<loader::SourceKind, loader::SourceFactory>> builtin_generated_source_factories();

}  // namespace genint
