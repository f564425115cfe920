# genint's Python exceptions: one class per genint_status of the C API (loader/genint.h), each carrying the
# status, the C call that failed and the library's own message (genint_last_error_message()).
"""Exceptions raised by genint.

Every failure of a C API call raises a subclass of :class:`genint.Error` chosen by its ``genint_status``;
each also derives from the builtin exception a Python programmer would catch for it (``ValueError`` for a bad
config, ``OSError`` for unreadable files, ``MemoryError``...).
"""

OK = 0
INVALID_ARGUMENT = 1
INVALID_CONFIG = 2
IO = 3
DEVICE = 4
OUT_OF_MEMORY = 5
STOPPED = 6
INTERNAL = 7

_STATUS_NAMES = {
    OK: "GENINT_OK",
    INVALID_ARGUMENT: "GENINT_ERROR_INVALID_ARGUMENT",
    INVALID_CONFIG: "GENINT_ERROR_INVALID_CONFIG",
    IO: "GENINT_ERROR_IO",
    DEVICE: "GENINT_ERROR_DEVICE",
    OUT_OF_MEMORY: "GENINT_ERROR_OUT_OF_MEMORY",
    STOPPED: "GENINT_ERROR_STOPPED",
    INTERNAL: "GENINT_ERROR_INTERNAL",
}


class Error(Exception):
    """A failed genint call.

    Attributes: ``status`` (the ``genint_status`` number), ``status_name`` ("GENINT_ERROR_INVALID_CONFIG"),
    ``call`` (the C function or binding method that failed) and ``message`` (the library's message).
    """

    status = INTERNAL

    def __init__(self, message, *, status=None, call=""):
        if status is not None:
            self.status = status
        self.call = call
        self.message = message
        self.status_name = _STATUS_NAMES.get(self.status, f"genint status {self.status}")
        prefix = f"{call}: " if call else ""
        super().__init__(f"{prefix}{self.status_name}: {message}")


class InvalidArgumentError(Error, ValueError):
    """A NULL or misused handle, a value out of range, every batch buffer already borrowed."""

    status = INVALID_ARGUMENT


class ReleasedBatchError(InvalidArgumentError):
    """A batch used or released after it was released."""


class ConfigError(Error, ValueError):
    """The config JSON is malformed or a field is invalid; the message names the field."""

    status = INVALID_CONFIG


class IOError(Error, OSError):  # noqa: A001 - the name the C API's GENINT_ERROR_IO suggests; also an OSError
    """A file or folder could not be read (e.g. no usable image left in a source)."""

    status = IO


class DeviceError(Error, RuntimeError):
    """CUDA, cuBLAS or cuDNN failed, or a device batch was asked for where there is no CUDA."""

    status = DEVICE


class OutOfMemoryError(Error, MemoryError):
    status = OUT_OF_MEMORY


class StoppedError(Error, RuntimeError):
    """The loader was shut down (after a producer's failure) while the call waited."""

    status = STOPPED


class InternalError(Error, RuntimeError):
    """A bug in genint: please report the message."""

    status = INTERNAL


_CLASSES = {
    INVALID_ARGUMENT: InvalidArgumentError,
    INVALID_CONFIG: ConfigError,
    IO: IOError,
    DEVICE: DeviceError,
    OUT_OF_MEMORY: OutOfMemoryError,
    STOPPED: StoppedError,
    INTERNAL: InternalError,
}


def error_from_status(status, call, message, batch_released=False):
    """The exception for a failed call (genint._native raises what this returns)."""
    if batch_released:
        return ReleasedBatchError(message, status=status, call=call)
    return _CLASSES.get(status, Error)(message, status=status, call=call)
