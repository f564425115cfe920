# A loader config as the C API takes it (docs/c-api.md), from a dict, a JSON text or a file, with the shard
# filled in from torch.distributed or RANK/WORLD_SIZE when the config does not give one.
"""Config handling for genint.Loader: parsing, and rank / world size from the environment."""

import json
import os
import sys

from . import _errors


def shard_from_environment():
    """``(rank, world_size, origin)`` of this process, or ``(0, 1, None)`` when nothing says.

    An initialised ``torch.distributed`` process group wins; else the ``RANK`` and ``WORLD_SIZE`` variables that
    ``torchrun`` (and most launchers) set. torch is not imported for this: a process that never imported
    ``torch.distributed`` cannot have initialised it.
    """
    distributed = sys.modules.get("torch.distributed")
    if distributed is not None and distributed.is_available() and distributed.is_initialized():
        return distributed.get_rank(), distributed.get_world_size(), "torch.distributed"
    if "RANK" in os.environ and "WORLD_SIZE" in os.environ:
        try:
            rank, world_size = int(os.environ["RANK"]), int(os.environ["WORLD_SIZE"])
        except ValueError:
            raise _errors.ConfigError(
                f"RANK={os.environ['RANK']!r} and WORLD_SIZE={os.environ['WORLD_SIZE']!r} must be integers",
                call="genint.Loader") from None
        return rank, world_size, "RANK/WORLD_SIZE"
    return 0, 1, None


def _json_value(value):
    if isinstance(value, os.PathLike):
        return os.fspath(value)
    raise _errors.ConfigError(f"the config holds a {type(value).__name__} ({value!r}), which JSON cannot hold",
                              call="genint.Loader")


def resolve(config):
    """``(config_dict, json_text, path)``: what genint.Loader gives the C API.

    A dict, a JSON text (a str starting with ``{``) or a path (str or os.PathLike). When the text cannot be read
    or parsed here, it goes to the library as it is (``path`` or ``json_text`` set, ``config_dict`` None), so the
    error the user sees is the library's own. Otherwise ``config_dict`` gets a ``shard`` from
    shard_from_environment() unless it has one.
    """
    if isinstance(config, dict):
        parsed = json.loads(json.dumps(config, default=_json_value))  # a deep copy; paths become strings
    elif isinstance(config, (str, os.PathLike)):
        text = os.fspath(config)
        if isinstance(text, bytes):
            text = os.fsdecode(text)
        if not text.lstrip().startswith("{"):
            try:
                with open(text, encoding="utf-8") as file:
                    text = file.read()
            except OSError:
                return None, None, os.fspath(config)  # the library reports the unreadable file
        try:
            parsed = json.loads(text)
        except ValueError:
            return None, text, None  # the library names what is malformed
        if not isinstance(parsed, dict):
            return None, text, None
    else:
        raise _errors.ConfigError(f"the config must be a dict, a JSON text or a path, not {type(config).__name__}",
                                  call="genint.Loader")
    if "shard" not in parsed:
        rank, world_size, origin = shard_from_environment()
        if origin is not None:
            parsed["shard"] = {"rank": rank, "world_size": world_size}
    return parsed, json.dumps(parsed), None
