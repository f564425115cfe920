# genint.torch.GenIntDataset: a torch.utils.data.IterableDataset over a genint.Loader, for training code built
# around DataLoader(dataset, batch_size=None); genint's own threads do the work, so no worker processes.
"""PyTorch integration: :class:`GenIntDataset` and :func:`mixup_cross_entropy`."""

import torch
import torch.nn.functional
import torch.utils.data

from . import _errors
from ._loader import Loader


def mixup_cross_entropy(logits, batch, reduction="none"):
    """Mixup's loss per sample, λ·CE(y) + (1 − λ)·CE(y′), with y = batch.labels, y′ = batch.mixup_partner_labels
    and λ = batch.mixup_lambdas (λ = 1 where a sample was not mixed, so it is plain cross-entropy then).
    ``reduction``: "none" (per sample: multiply by batch.weights as usual), "mean" or "sum"."""
    device = logits.device
    labels = batch.labels.to(device).long()
    partner_labels = batch.mixup_partner_labels.to(device).long()
    lambdas = batch.mixup_lambdas.to(device)
    own = torch.nn.functional.cross_entropy(logits, labels, reduction="none")
    partner = torch.nn.functional.cross_entropy(logits, partner_labels, reduction="none")
    losses = lambdas * own + (1 - lambdas) * partner
    if reduction == "none":
        return losses
    if reduction == "mean":
        return losses.mean()
    if reduction == "sum":
        return losses.sum()
    raise ValueError(f"mixup_cross_entropy: reduction must be 'none', 'mean' or 'sum', not {reduction!r}")


class GenIntDataset(torch.utils.data.IterableDataset):
    """Batches of a genint loader as an IterableDataset; one epoch per iteration.

    Use it as ``DataLoader(GenIntDataset(config), batch_size=None)``: genint batches already, and its producer
    threads (``"threads"`` per source in the config) do the decoding, so keep ``num_workers=0``: worker
    processes would copy every batch across processes and, several of them, repeat the generated streams;
    they are refused with genint.InvalidArgumentError. ``transform(batch)`` (optional) maps each
    genint.Batch, e.g. ``lambda b: (b.images, b.labels.long(), b.weights)``; tensors it returns keep their batch
    borrowed until they are gone. The loader (and its shard: torch.distributed or RANK/WORLD_SIZE unless the
    config has one) is created on first use, in the process that iterates.
    """

    def __init__(self, config, transform=None):
        super().__init__()
        self.config = config
        self.transform = transform
        self._loader = None

    @property
    def loader(self):
        """The genint.Loader behind the dataset (created on first use)."""
        if self._loader is None or self._loader.closed:
            self._loader = Loader(self.config)
        return self._loader

    def __iter__(self):
        worker = torch.utils.data.get_worker_info()
        if worker is not None:
            raise _errors.InvalidArgumentError(
                f"GenIntDataset runs in DataLoader worker {worker.id} of {worker.num_workers}: use num_workers=0 "
                "(genint decodes and generates on its own threads; set \"threads\" per source in the config)",
                call="genint.torch.GenIntDataset")
        for batch in self.loader:
            yield batch if self.transform is None else self.transform(batch)

    def __len__(self):
        return len(self.loader)

    def close(self):
        if self._loader is not None:
            self._loader.close()

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.close()

    def __getstate__(self):
        state = dict(self.__dict__)
        state["_loader"] = None  # a loader's threads and memory belong to the process that made it
        return state
