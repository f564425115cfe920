// The C API's boundary: every exported function runs its body through call_guarded, which turns
// any exception into a status code and a thread-local message. No exception crosses into C.
#pragma once

#include <string>

#include "loader/genint.h"

namespace genint::c_api {

void set_last_error(const std::string& message);
void clear_last_error();

// Maps the exception in flight to a status and records its message; call only inside a catch block.
genint_status status_from_current_exception();

template <typename Body>
genint_status call_guarded(Body&& body) noexcept {
  try {
    clear_last_error();
    body();
    return GENINT_OK;
  } catch (...) {
    return status_from_current_exception();
  }
}

}  // namespace genint::c_api
