// Thread-local last-error storage, exception-to-status mapping, and the version/status functions
// of the C API. A genint::Error carries its status; the standard library's failures are classified by type.
#include "loader/c_api/c_api_boundary.h"

#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint::c_api {
namespace {
thread_local std::string last_error_message;
thread_local genint_status last_error_status = GENINT_OK;

// Status's values are genint_status's, so a genint::Error's status crosses the boundary by a cast.
constexpr bool same_value(Status status, genint_status c_status) {
  return static_cast<int>(status) == static_cast<int>(c_status);
}
static_assert(same_value(Status::Ok, GENINT_OK) && same_value(Status::InvalidArgument, GENINT_ERROR_INVALID_ARGUMENT) &&
                  same_value(Status::InvalidConfig, GENINT_ERROR_INVALID_CONFIG) &&
                  same_value(Status::Io, GENINT_ERROR_IO) && same_value(Status::Device, GENINT_ERROR_DEVICE) &&
                  same_value(Status::OutOfMemory, GENINT_ERROR_OUT_OF_MEMORY) &&
                  same_value(Status::Stopped, GENINT_ERROR_STOPPED) &&
                  same_value(Status::Internal, GENINT_ERROR_INTERNAL),
              "genint::Status must mirror genint_status value for value");
}  // namespace

genint_status set_last_error(genint_status status, const std::string& message) {
  last_error_status = status;
  last_error_message = message;
  return status;
}
void clear_last_error() {
  last_error_status = GENINT_OK;
  last_error_message.clear();
}

genint_status status_from_current_exception() {
  try {
    throw;
  } catch (const Error& error) {
    return set_last_error(static_cast<genint_status>(error.status()), error.what());
  } catch (const nlohmann::json::exception& error) {
    return set_last_error(GENINT_ERROR_INVALID_CONFIG, std::string("config: ") + error.what());
  } catch (const std::filesystem::filesystem_error& error) {
    return set_last_error(GENINT_ERROR_IO, error.what());
  } catch (const std::bad_alloc&) {
    return set_last_error(GENINT_ERROR_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& error) {
    return set_last_error(GENINT_ERROR_INTERNAL, error.what());
  } catch (...) {
    return set_last_error(GENINT_ERROR_INTERNAL, "unknown exception (not derived from std::exception)");
  }
}

}  // namespace genint::c_api

extern "C" {

const char* genint_version_string(void) {
  return GENINT_VERSION_STRING;
}
int genint_abi_version(void) {
  return GENINT_ABI_VERSION;
}
int genint_abi_minor_version(void) {
  return GENINT_ABI_MINOR_VERSION;
}
int genint_cuda_backend_built(void) {
  return genint::cuda_backend_built() ? 1 : 0;
}
const char* genint_last_error_message(void) {
  return genint::c_api::last_error_message.c_str();
}
genint_status genint_last_error_status(void) {
  return genint::c_api::last_error_status;
}

const char* genint_status_name(genint_status status) {
  // Indexed by the status's value (genint.h numbers them 0..7).
  static const char* const names[] = {
      "GENINT_OK",           "GENINT_ERROR_INVALID_ARGUMENT", "GENINT_ERROR_INVALID_CONFIG", "GENINT_ERROR_IO",
      "GENINT_ERROR_DEVICE", "GENINT_ERROR_OUT_OF_MEMORY",    "GENINT_ERROR_STOPPED",        "GENINT_ERROR_INTERNAL"};
  static_assert(GENINT_ERROR_INTERNAL == 7, "one name a status, in order");
  const int index = static_cast<int>(status);
  return index >= 0 && index <= GENINT_ERROR_INTERNAL ? names[index] : "GENINT_STATUS_UNKNOWN";
}

}  // extern "C"
