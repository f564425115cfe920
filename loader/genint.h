/* genint's C API: the whole surface a trainer links (C99, no CUDA headers; streams are void*).
 * Every function returns a status code; on failure genint_last_error_message() says why. */
#ifndef GENINT_GENINT_H
#define GENINT_GENINT_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define GENINT_API __declspec(dllexport)
#else
#define GENINT_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped when a struct layout or a function signature changes incompatibly. */
#define GENINT_ABI_VERSION 1

typedef enum genint_status {
  GENINT_OK = 0,
  GENINT_ERROR_INVALID_ARGUMENT = 1, /* NULL handle, bad pointer, value out of range */
  GENINT_ERROR_INVALID_CONFIG = 2,   /* config JSON malformed or a field invalid; the message names the field */
  GENINT_ERROR_IO = 3,               /* a file or folder could not be read */
  GENINT_ERROR_DEVICE = 4,           /* CUDA, cuBLAS or cuDNN failed */
  GENINT_ERROR_OUT_OF_MEMORY = 5,
  GENINT_ERROR_STOPPED = 6,          /* the loader was shut down while the call waited */
  GENINT_ERROR_INTERNAL = 7          /* a bug in genint: please report the message */
} genint_status;

/* Thread-safe. The library's version, "MAJOR.MINOR.PATCH"; static storage. */
GENINT_API const char* genint_version_string(void);
/* Thread-safe. The ABI this library implements; compare with GENINT_ABI_VERSION from the header you compiled. */
GENINT_API int genint_abi_version(void);
/* Thread-safe. 1 if this library was built with its CUDA backend, else 0. */
GENINT_API int genint_cuda_backend_built(void);
/* Thread-safe. The message of the last failed genint call on this thread ("" if none). Valid until the
 * next genint call on this thread. */
GENINT_API const char* genint_last_error_message(void);
/* Thread-safe. A constant name for a status ("GENINT_ERROR_INVALID_CONFIG"); static storage. */
GENINT_API const char* genint_status_name(genint_status status);

#ifdef __cplusplus
}
#endif

#endif /* GENINT_GENINT_H */
