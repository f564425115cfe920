// The one place a build without CUDA says so: GENINT_CUDA_CALL(function, arguments...) calls a CUDA entry point
// in a CUDA build and throws genint::Error naming it otherwise, so *_cuda symbols are referenced only where built.
#pragma once

#include "nn/core/error.h"

#ifndef GENINT_WITH_CUDA
#error "GENINT_WITH_CUDA must be defined to 0 or 1 (genint_target_defaults does it)"
#endif

namespace genint {

// Throws genint::Error: `what` needs the CUDA backend, which this build does not have.
[[noreturn]] void throw_cuda_backend_absent(const char* what);

namespace detail {
// What a CUDA call stands for in a build without CUDA. It is never produced (the call throws first); it converts
// to any result type so `return GENINT_CUDA_CALL(...)` compiles in both builds.
struct NoCudaResult {
  template <typename Result>
  [[noreturn]] operator Result() const {
    throw_cuda_backend_absent("a CUDA entry point");
  }
};
// Takes the call's arguments so a CPU-only build compiles the same dispatch code without warnings.
template <typename... Arguments>
[[noreturn]] NoCudaResult cuda_backend_absent(const char* function, const Arguments&...) {
  throw_cuda_backend_absent(function);
}
}  // namespace detail

}  // namespace genint

#if GENINT_WITH_CUDA
#define GENINT_CUDA_CALL(function, ...) function(__VA_ARGS__)
#else
#define GENINT_CUDA_CALL(function, ...) ::genint::detail::cuda_backend_absent(#function, __VA_ARGS__)
#endif
