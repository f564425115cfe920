# Device batches ("output": {"device": "cuda"}) as CUDA tensors: on the loader's device, over the C API's device
# memory (no copy), equal to the host batch, ordered after the copy on the current stream. Skips without CUDA.
import pytest
import torch

import genint
from conftest import mixed_config

pytestmark = pytest.mark.skipif(not (genint.cuda_backend_built() and torch.cuda.is_available()),
                                reason="needs libgenint's CUDA backend, a GPU and a CUDA build of PyTorch")


def test_device_batches_are_cuda_tensors_over_the_c_api_memory(scenes):
    config = mixed_config(scenes, layout="float32_chw")
    config["output"] = {"device": "cuda", "device_index": 0}
    with genint.Loader(config) as loader:
        assert loader.device == "cuda:0"
        for _ in range(6):  # more batches than the ring holds: releases recorded on the stream free the slots
            with loader.next_batch() as batch:
                pointers = batch.pointers()
                images, labels, weights = batch.images, batch.labels, batch.weights
                assert images.device == torch.device("cuda:0") and labels.is_cuda and weights.is_cuda
                assert images.data_ptr() == pointers["device_images"]
                assert labels.data_ptr() == pointers["device_labels"]
                assert weights.data_ptr() == pointers["device_weights"]
                # The current stream waited for the copy: reading on it gives the host batch's values.
                assert torch.equal(images.cpu(), batch.host_tensor("images"))
                assert torch.equal(labels.cpu(), batch.host_tensor("labels"))
                assert torch.equal(weights.cpu(), batch.host_tensor("weights"))
                assert batch.sources.device.type == "cpu"  # sources, items, records stay on the host


def test_device_batches_follow_a_side_stream(scenes):
    config = mixed_config(scenes, layout="uint8_hwc")
    config["output"] = {"device": "cuda"}
    stream = torch.cuda.Stream()
    with genint.Loader(config) as loader, torch.cuda.stream(stream):
        sums = []
        for _ in range(6):
            batch = loader.next_batch()
            sums.append((batch.images.float().sum(), batch.host_tensor("images").double().sum()))
            del batch  # released on `stream` when its tensors go
        torch.cuda.synchronize()
        for device_sum, host_sum in sums:
            # Whole bytes summing below 2**24: float32 holds every partial sum exactly.
            assert float(device_sum) == float(host_sum)


def test_a_second_stream_for_one_batch_is_refused(scenes):
    config = mixed_config(scenes, layout="uint8_hwc")
    config["output"] = {"device": "cuda"}
    with genint.Loader(config) as loader:
        with loader.next_batch() as batch:
            images = batch.images  # on the current (default) stream: the release will be recorded there
            with torch.cuda.stream(torch.cuda.Stream()):
                # The loader would not wait for this stream before copying the next batch into the same memory.
                with pytest.raises(genint.InvalidArgumentError, match="another stream"):
                    batch.labels
            assert images.is_cuda and batch.labels.is_cuda  # the first stream still works
