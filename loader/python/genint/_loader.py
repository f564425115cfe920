# genint.Loader: a loader built from a config (dict, JSON text or file), iterated epoch by epoch like a PyTorch
# DataLoader, with stats() and len(); the C handle lives until the loader and its batches are all gone.
"""genint.Loader."""

import json

from . import _config, _errors, _native
from ._batch import Batch


class Loader:
    """A genint loader: natural images mixed with generated ones at exact per-batch counts.

    ``config`` is a dict, a JSON text or a path to a JSON file (schema: docs/c-api.md). Without a ``"shard"``
    key, the rank and world size come from an initialised ``torch.distributed``, else from ``RANK`` /
    ``WORLD_SIZE``; each rank then gets a disjoint shard of every epoch. A bad config raises
    genint.ConfigError naming the field.

    ``for batch in loader`` yields the batches of one epoch (the rest of the current epoch when a previous loop
    stopped early); the next loop gives the next epoch. ``len(loader)`` is the number of batches per epoch of
    the first source with epochs (a natural source); a loader of generated sources only is endless and has no
    len(). ``next(loader)`` takes the next batch whatever its epoch. ``with Loader(...) as loader:`` closes it at
    the end; batches still alive then keep the C loader's memory (not its use) until they are gone.
    """

    def __init__(self, config):
        self.config, config_json, config_path = _config.resolve(config)
        self._native = (_native.Loader.from_file(config_path) if config_path is not None
                        else _native.Loader.from_json(config_json))
        # Deterministic loaders fill batch k into the buffer of batch k - batches_in_flight: the binding refuses a
        # next batch whose buffer a live batch holds (the C call refuses too, but cannot name the Python objects).
        config = self.config or {}
        self._native.set_ring(int(config.get("batches_in_flight", 4)), bool(config.get("deterministic", True)))
        stats = self.stats()
        self.batch_size = stats["batch_size"]
        self._device_index = stats.get("output_device", -1)
        self._batches_per_epoch = next(
            (source["batches_per_epoch"] for source in stats["sources"] if source["batches_per_epoch"] > 0), 0)
        self._next_index = 0
        if self._device_index >= 0:
            self._require_cuda_torch()

    @property
    def device(self):
        """``"cpu"``, or ``"cuda:N"`` when the config copies batches to a GPU (``"output": {"device": "cuda"}``)."""
        return "cpu" if self._device_index < 0 else f"cuda:{self._device_index}"

    @property
    def rank(self):
        return int((self.config or {}).get("shard", {}).get("rank", 0))

    @property
    def world_size(self):
        return int((self.config or {}).get("shard", {}).get("world_size", 1))

    @property
    def closed(self):
        return self._native.closed

    def __len__(self):
        if self._batches_per_epoch == 0:
            raise TypeError("genint.Loader: this loader's sources are all endless (generated), so it has no "
                            "len(); take batches with next(loader)")
        return self._batches_per_epoch

    def __iter__(self):
        epoch_length = self._batches_per_epoch
        if epoch_length == 0:
            while True:
                yield self.next_batch()
        end = (self._next_index // epoch_length + 1) * epoch_length
        while self._next_index < end:
            yield self.next_batch()

    def __next__(self):
        return self.next_batch()

    def next_batch(self):
        """The next batch (blocking until it is ready), whatever its epoch."""
        batch = Batch(self._native.next_batch(self._device_index >= 0))
        self._next_index = batch.index + 1
        return batch

    def stats(self):
        """The loader's statistics (genint_loader_stats_json) as a dict: per source the samples delivered, rate,
        skipped files by reason with example paths, queue depth, batches per epoch."""
        return json.loads(self._native.stats_json())

    def close(self):
        """Stops the loader once no batch of it is alive any more (at once if none is). Idempotent."""
        self._native.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __repr__(self):
        if self._native.closed:
            return "genint.Loader(closed)"
        return (f"genint.Loader(batch_size={self.batch_size}, batches_per_epoch={self._batches_per_epoch or None}, "
                f"rank={self.rank}, world_size={self.world_size}, device={self.device})")

    def _require_cuda_torch(self):
        try:
            import torch
            available = torch.cuda.is_available()
        except ImportError:
            available = False
        if not available:
            self.close()
            raise _errors.DeviceError(
                f"the config copies batches to {self.device} (\"output\": {{\"device\": \"cuda\"}}) but PyTorch "
                "here has no CUDA: use a CUDA build of PyTorch, or drop \"output\" to get host batches",
                call="genint.Loader")
