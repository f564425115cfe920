# 10 000 batches through the package with every kind of view taken from each: the process's resident memory
# stays flat (nothing is kept per batch, by the binding or by the loader).
import gc

import genint
from conftest import natural_config


def resident_bytes():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def take(loader, count):
    for _ in range(count):
        batch = loader.next_batch()
        images, labels, weights = batch.images, batch.labels, batch.weights
        records, arrays, tensors = batch.records, batch.numpy(), batch.record_tensors()
        assert images.shape[0] == 4 and labels.shape == weights.shape and len(records) == 4
        assert len(arrays) == 6 + len(genint.EXTRA_FIELDS) and len(tensors) == len(genint.RECORD_FIELDS)
        if batch.index % 2:
            batch.release()  # half released at once, half when the views go


def test_ten_thousand_batches_keep_resident_memory_flat(scenes):
    # 8x8 crops of the 32x32 JPEGs: the decode is cheap, so the binding's per-batch work dominates.
    with genint.Loader(natural_config(scenes, batch=4, size=8, threads=1)) as loader:
        take(loader, 1000)  # warm-up: allocator pools, PyTorch's and NumPy's caches, the ring's pages
        gc.collect()
        before = resident_bytes()
        take(loader, 9000)
        gc.collect()
        after = resident_bytes()
        assert loader.stats()["sources"][0]["delivered"] >= 40000
    # Leaking only the smallest object a batch makes (a 64-byte DLManagedTensor) 9000 times is 576 KiB; the
    # tolerance is half that, over RSS page granularity and allocator noise (measured: 4 KiB; a 97-byte object
    # leaked per batch measured 992 KiB).
    assert after - before < 288 * 1024, f"resident memory grew by {(after - before) / 1024:.0f} KiB"
