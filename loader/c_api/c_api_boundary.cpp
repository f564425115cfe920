// Thread-local last-error storage, exception-to-status mapping, and the version/status functions
// of the C API. Exceptions are classified by type: config, device library, I/O, memory, other.
#include "loader/c_api/c_api_boundary.h"

#include <filesystem>
#include <new>
#include <nlohmann/json.hpp>

#include "nn/core/device.h"
#include "nn/core/error.h"

namespace genint::c_api {
namespace {
thread_local std::string last_error_message;
}

void set_last_error(const std::string& message) {
  last_error_message = message;
}
void clear_last_error() {
  last_error_message.clear();
}

genint_status status_from_current_exception() {
  try {
    throw;
  } catch (const DeviceLibraryError& error) {
    set_last_error(error.what());
    return GENINT_ERROR_DEVICE;
  } catch (const nlohmann::json::exception& error) {
    set_last_error(std::string("config: ") + error.what());
    return GENINT_ERROR_INVALID_CONFIG;
  } catch (const std::filesystem::filesystem_error& error) {
    set_last_error(error.what());
    return GENINT_ERROR_IO;
  } catch (const std::bad_alloc&) {
    set_last_error("out of memory");
    return GENINT_ERROR_OUT_OF_MEMORY;
  } catch (const std::exception& error) {
    set_last_error(error.what());
    return GENINT_ERROR_INTERNAL;
  } catch (...) {
    set_last_error("unknown exception (not derived from std::exception)");
    return GENINT_ERROR_INTERNAL;
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

const char* genint_status_name(genint_status status) {
  switch (status) {
    case GENINT_OK: return "GENINT_OK";
    case GENINT_ERROR_INVALID_ARGUMENT: return "GENINT_ERROR_INVALID_ARGUMENT";
    case GENINT_ERROR_INVALID_CONFIG: return "GENINT_ERROR_INVALID_CONFIG";
    case GENINT_ERROR_IO: return "GENINT_ERROR_IO";
    case GENINT_ERROR_DEVICE: return "GENINT_ERROR_DEVICE";
    case GENINT_ERROR_OUT_OF_MEMORY: return "GENINT_ERROR_OUT_OF_MEMORY";
    case GENINT_ERROR_STOPPED: return "GENINT_ERROR_STOPPED";
    case GENINT_ERROR_INTERNAL: return "GENINT_ERROR_INTERNAL";
  }
  return "GENINT_STATUS_UNKNOWN";
}

}  // extern "C"
