# genint.torch.GenIntDataset under torch.utils.data.DataLoader(batch_size=None): one epoch per iteration, len(),
# optional transforms, worker processes refused with a clear error.
import pytest
import torch

import genint
import genint.torch
from conftest import natural_config


def test_dataloader_yields_one_epoch_of_batches(scenes):
    with genint.torch.GenIntDataset(natural_config(scenes, batch=8)) as dataset:
        loader = torch.utils.data.DataLoader(dataset, batch_size=None)
        assert len(loader) == 5
        for epoch in range(2):
            seen = [(batch.epoch, batch.items.tolist()) for batch in loader]  # each batch released as it goes
            assert [batch_epoch for batch_epoch, _ in seen] == [epoch] * 5
            assert sorted(item for _, items in seen for item in items) == list(range(40))
        assert isinstance(dataset.loader, genint.Loader)


def test_transform_returns_tensors_that_keep_their_batch(scenes):
    transform = lambda batch: (batch.images, batch.labels.long(), batch.weights)  # noqa: E731
    with genint.torch.GenIntDataset(natural_config(scenes, layout="float32_chw"), transform=transform) as dataset:
        for images, labels, weights in torch.utils.data.DataLoader(dataset, batch_size=None):
            assert images.shape == (8, 3, 32, 32) and labels.dtype == torch.int64 and weights.shape == (8,)


def test_worker_processes_are_refused(scenes):
    dataset = genint.torch.GenIntDataset(natural_config(scenes))
    with pytest.raises(genint.InvalidArgumentError, match="num_workers=0"):
        next(iter(torch.utils.data.DataLoader(dataset, batch_size=None, num_workers=1)))
