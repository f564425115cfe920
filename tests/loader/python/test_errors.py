# Misuse raises clear Python errors carrying the C API's status and message, never a crash: bad configs, a batch
# released twice or used after release, a closed loader, every buffer held, memory outliving its loader.
import gc
import json

import pytest
import torch

import genint
from conftest import natural_config


def test_bad_config_field_is_a_config_error_naming_the_field(scenes):
    config = natural_config(scenes)
    config["sources"][0]["colour"] = "blue"
    with pytest.raises(genint.ConfigError) as raised:
        genint.Loader(config)
    error = raised.value
    assert isinstance(error, ValueError) and isinstance(error, genint.Error)
    assert (error.status, error.status_name) == (2, "GENINT_ERROR_INVALID_CONFIG")
    assert error.call == "genint_loader_create_from_json" and "colour" in error.message
    assert "colour" in str(error) and "GENINT_ERROR_INVALID_CONFIG" in str(error)


def test_malformed_json_and_wrong_types_are_config_errors(scenes, tmp_path):
    with pytest.raises(genint.ConfigError):
        genint.Loader('{"seed": 1, "sources": [')
    bad_file = tmp_path / "bad.json"
    bad_file.write_text('{"seed": ')
    with pytest.raises(genint.ConfigError):
        genint.Loader(bad_file)
    config = natural_config(scenes)
    config["batch_size"] = 9  # must equal the sources' sum (8)
    with pytest.raises(genint.ConfigError, match="batch_size"):
        genint.Loader(json.dumps(config))
    with pytest.raises(genint.ConfigError):
        genint.Loader(42)
    config["batch_size"] = {1, 2}
    with pytest.raises(genint.ConfigError, match="set"):
        genint.Loader(config)


def test_paths_in_a_config_dict_are_accepted(scenes):
    config = natural_config(scenes)
    config["sources"][0]["root"] = scenes  # a pathlib.Path
    with genint.Loader(config) as loader:
        assert loader.config["sources"][0]["root"] == str(scenes) and len(loader) == 5


def test_unreadable_config_file_and_data_folder_are_the_library_errors(scenes, tmp_path):
    with pytest.raises(genint.Error) as raised:
        genint.Loader(tmp_path / "missing.json")
    assert raised.value.call == "genint_loader_create_from_file" and "missing.json" in raised.value.message
    config = natural_config(scenes)
    config["sources"][0]["root"] = str(tmp_path / "no-such-folder")
    with pytest.raises(genint.Error) as raised:
        genint.Loader(config)
    assert "no-such-folder" in raised.value.message


def test_release_twice_and_use_after_release_raise(scenes):
    with genint.Loader(natural_config(scenes)) as loader:
        batch = loader.next_batch()
        images = batch.images
        batch.release()
        assert batch.released
        with pytest.raises(genint.ReleasedBatchError) as raised:
            batch.release()
        assert isinstance(raised.value, genint.InvalidArgumentError) and raised.value.status == 1
        assert f"batch {batch.index} was already released" in str(raised.value)
        for use in (lambda: batch.images, lambda: batch.labels, lambda: batch.records, batch.numpy,
                    batch.record_tensors, batch.pointers, lambda: batch.host_tensor("items")):
            with pytest.raises(genint.ReleasedBatchError):
                use()
        assert images.shape == (8, 32, 32, 3)  # a tensor kept past release still reads mapped memory
        with loader.next_batch() as batch:
            labels = batch.labels
        with pytest.raises(genint.ReleasedBatchError):
            batch.weights
        assert labels.shape == (8,)
        with loader.next_batch() as batch:
            batch.release()  # released inside the with: leaving it does not release again
        assert "released" in repr(batch)


def test_closed_loader_and_held_buffers_raise_instead_of_waiting(scenes):
    loader = genint.Loader(natural_config(scenes, batches_in_flight=2))
    held = [loader.next_batch(), loader.next_batch()]
    held.pop().release()
    # Deterministic: batch 2 goes into batch 0's buffer, and a tensor of batch 0 keeps it borrowed.
    kept = held.pop().images
    with pytest.raises(genint.InvalidArgumentError, match="batch 0 is still alive"):
        loader.next_batch()
    first = kept.clone()
    del kept
    with loader.next_batch() as batch:
        assert batch.index == 2 and not torch.equal(batch.images, first)
        kept_past_close = batch.labels
    loader.close()
    with pytest.raises(genint.InvalidArgumentError, match="closed"):
        loader.next_batch()
    with pytest.raises(genint.InvalidArgumentError, match="closed"):
        loader.stats()
    loader.close()  # idempotent
    held = loader = None
    assert kept_past_close.shape == (8,)


def test_arrival_order_loaders_reuse_any_released_buffer(scenes):
    with genint.Loader(natural_config(scenes, batches_in_flight=2, deterministic=False)) as loader:
        first = loader.next_batch()
        for _ in range(5):  # batch 0 stays borrowed; the other buffer goes round
            loader.next_batch().release()
        second = loader.next_batch()
        with pytest.raises(genint.InvalidArgumentError, match="2 batches from this loader are still alive"):
            loader.next_batch()  # the C API's own refusal: every buffer is borrowed
        assert first.images.shape == second.images.shape == (8, 32, 32, 3)


def test_tensors_outlive_their_loader_and_batch(scenes):
    loader = genint.Loader(natural_config(scenes, layout="float32_chw"))
    batch = loader.next_batch()
    images, records = batch.images, batch.records
    expected = images.clone()
    del batch, loader
    gc.collect()
    assert torch.equal(images, expected) and len(records) == 8  # memory freed only when they go
    del images, records
    gc.collect()


def test_device_output_without_cuda_is_refused_clearly(scenes):
    config = natural_config(scenes, output={"device": "cuda"})
    if genint.cuda_backend_built() and torch.cuda.is_available():
        pytest.skip("this machine has CUDA: tests/loader/python/test_device.py covers device batches")
    with pytest.raises((genint.ConfigError, genint.DeviceError)) as raised:
        genint.Loader(config)
    assert "output.device" in raised.value.message or "CUDA" in raised.value.message
