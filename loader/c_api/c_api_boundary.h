// The C API's boundary: every exported function runs its body through call_guarded, which turns any exception
// into a status code and records the thread's last message and status. No exception crosses into C.
#pragma once

#include <string>

#include "loader/genint.h"
#include "nn/core/error.h"

namespace genint::c_api {

genint_status set_last_error(genint_status status, const std::string& message);  // returns `status`
void clear_last_error();

// The one map from exceptions to statuses: a genint::Error carries its own; JSON, filesystem and allocation
// failures get theirs; anything else is INTERNAL. Records the message and status; call only inside a catch block.
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
