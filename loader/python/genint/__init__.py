# The genint Python package: PyTorch-style access to genint's loader (loader/genint.h) through a pybind11
# binding, with zero-copy batches; genint.torch adds an IterableDataset.
"""genint: a training-time data loader mixing natural images with generative interventions.

    import genint
    with genint.Loader("loader.json") as loader:          # dict, JSON text or path (docs/c-api.md)
        for batch in loader:                               # one epoch; len(loader) batches
            loss = (F.cross_entropy(model(batch.images), batch.labels.long(), reduction="none")
                    * batch.weights).mean()

See genint.Loader, genint.Batch, genint.torch.GenIntDataset and the errors (genint.Error and subclasses).
"""

from . import _native
from ._batch import (AUTO_AUGMENT_FIRST_APPLIED, AUTO_AUGMENT_FIRST_NEGATED, AUTO_AUGMENT_SECOND_APPLIED,
                     AUTO_AUGMENT_SECOND_NEGATED, EXTRA_FIELDS, RECORD_DTYPE, RECORD_FIELDS, Batch)
from ._config import shard_from_environment
from ._errors import (ConfigError, DeviceError, Error, InternalError, InvalidArgumentError, IOError,
                      OutOfMemoryError, ReleasedBatchError, StoppedError)
from ._loader import Loader

__version__ = _native.version()

# genint_source_kind: the values of Batch.sources.
NATURAL = 0
INTERVENTION = 1
TRANSFERRED = 2
SOURCE_NAMES = ("natural", "intervention", "transferred")
# Intervention record `space` values, numbered by the intervention source (docs/c-api.md).
SPACE_NAMES = ("observational", "latent", "latent_centred", "activation", "activation_centred")


def cuda_backend_built():
    """True when libgenint was built with its CUDA backend (device batches need it and a GPU)."""
    return _native.cuda_backend_built()


__all__ = [
    "Loader", "Batch", "Error", "ConfigError", "InvalidArgumentError", "ReleasedBatchError", "IOError", "DeviceError",
    "OutOfMemoryError", "StoppedError", "InternalError", "RECORD_DTYPE", "RECORD_FIELDS", "NATURAL", "INTERVENTION",
    "TRANSFERRED", "SOURCE_NAMES", "SPACE_NAMES", "shard_from_environment", "cuda_backend_built", "__version__",
    "EXTRA_FIELDS", "AUTO_AUGMENT_FIRST_APPLIED", "AUTO_AUGMENT_SECOND_APPLIED", "AUTO_AUGMENT_FIRST_NEGATED",
    "AUTO_AUGMENT_SECOND_NEGATED",
]
