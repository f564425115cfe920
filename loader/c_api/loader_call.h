// The loader's C functions run their bodies through loader_call: call_guarded (c_api_boundary.h) plus the
// loader's own failure kinds, which map to INVALID_CONFIG, INVALID_ARGUMENT, STOPPED and IO.
#pragma once

#include "loader/c_api/c_api_boundary.h"
#include "loader/pipeline/loader_errors.h"

namespace genint::c_api {

template <typename Body>
genint_status loader_call(Body&& body) noexcept {
  genint_status loader_status = GENINT_OK;
  const genint_status status = call_guarded([&] {
    try {
      body();
    } catch (const loader::ConfigError& error) {
      set_last_error(error.what());
      loader_status = GENINT_ERROR_INVALID_CONFIG;
    } catch (const loader::MisuseError& error) {
      set_last_error(error.what());
      loader_status = GENINT_ERROR_INVALID_ARGUMENT;
    } catch (const loader::StoppedError& error) {
      set_last_error(error.what());
      loader_status = GENINT_ERROR_STOPPED;
    } catch (const loader::DataError& error) {
      set_last_error(error.what());
      loader_status = GENINT_ERROR_IO;
    }
  });
  return loader_status != GENINT_OK ? loader_status : status;
}

}  // namespace genint::c_api
