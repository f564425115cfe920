# Batches through the genint package against the C API's own bytes (a C99 program reading the same deterministic
# config), zero-copy views (the tensors' pointers are the C API's), and what mixed batches carry.
import ctypes
import json
import struct
import subprocess

import numpy as np
import pytest
import torch
import torchvision

import genint
from conftest import CLASSES, REPO, demo_strategy, mixed_config, natural_config, tool, write_config

HEADER = struct.Struct("<QQiiiiQ")  # index, epoch, size, image_size, layout, zero, sample_bytes (dump_batches.c)


def reference_batches(config_path, count, out_path):
    """The batches as genint_dump_batches (C API only) wrote them: one dict of raw bytes per batch."""
    subprocess.run([tool("GENINT_DUMP_BATCHES"), str(config_path), str(count), str(out_path)], check=True)
    data, offset, batches = out_path.read_bytes(), 0, []
    while offset < len(data):
        index, epoch, size, image_size, layout, _, sample_bytes = HEADER.unpack_from(data, offset)
        offset += HEADER.size
        batch = {"index": index, "epoch": epoch, "size": size, "image_size": image_size, "layout": layout}
        for name, element_bytes in (("images", sample_bytes), ("labels", 4), ("weights", 4), ("sources", 4),
                                    ("items", 8), ("records", genint.RECORD_DTYPE.itemsize), ("mixup_partners", 4),
                                    ("mixup_partner_labels", 4), ("mixup_lambdas", 4),
                                    ("auto_augment_sub_policies", 4), ("auto_augment_ops", 1),
                                    ("transfer_alphas", 4)):
            batch[name] = data[offset:offset + size * element_bytes]
            offset += size * element_bytes
        batches.append(batch)
    assert len(batches) == count
    return batches


@pytest.mark.parametrize("kind", ["natural_uint8", "natural_float32", "mixed_uint8", "mixed_float32"])
def test_batches_equal_the_c_api_byte_for_byte(scenes, tmp_path, kind):
    layout = "uint8_hwc" if kind.endswith("uint8") else "float32_chw"
    config = (mixed_config(scenes, layout=layout) if kind.startswith("mixed")
              else natural_config(scenes, layout=layout, batch=8))
    config_path = write_config(tmp_path / "config.json", config)
    count = 7  # crosses the 5-batch epoch of the 40-image split (natural only), so epoch 1 is compared too
    expected = reference_batches(config_path, count, tmp_path / "reference.bin")
    with genint.Loader(config_path) as loader:
        for want in expected:
            with loader.next_batch() as batch:
                assert (batch.index, batch.epoch, batch.size, batch.image_size) == \
                    (want["index"], want["epoch"], want["size"], want["image_size"])
                assert batch.images.numpy().tobytes() == want["images"]
                assert batch.labels.numpy().tobytes() == want["labels"]
                assert batch.weights.numpy().tobytes() == want["weights"]
                assert batch.sources.numpy().tobytes() == want["sources"]
                assert batch.items.numpy().tobytes() == want["items"]
                assert batch.records.tobytes() == want["records"]
                arrays = batch.numpy()
                assert all(arrays[name].tobytes() == want[name] for name in
                           ("images", "labels", "weights", "sources", "items", "records"))


def test_tensors_are_the_c_api_memory(scenes):
    with genint.Loader(mixed_config(scenes)) as loader:
        batch = loader.next_batch()
        pointers = batch.pointers()
        for name in ("images", "labels", "weights", "sources", "items"):
            assert getattr(batch, name).data_ptr() == pointers[name], name
            assert batch.numpy()[name].__array_interface__["data"][0] == pointers[name], name
        assert batch.records.__array_interface__["data"][0] == pointers["interventions"]
        for field, tensor in batch.record_tensors().items():
            assert tensor.data_ptr() == pointers["interventions"] + genint.RECORD_DTYPE.fields[field][1], field
            assert tensor.stride() == (genint.RECORD_DTYPE.itemsize // tensor.element_size(),)
        # The bytes at the C API's address are the tensor's, and a write through the tensor lands there.
        images = batch.images
        assert ctypes.string_at(pointers["images"], images.numel()) == images.numpy().tobytes()
        images[0, 0, 0, 0] = images[0, 0, 0, 0] ^ 0xFF
        assert ctypes.string_at(pointers["images"], 1)[0] == int(images[0, 0, 0, 0])
        assert batch.images is images  # one tensor per field and batch


def test_layouts_shapes_and_types(scenes):
    with genint.Loader(natural_config(scenes, layout="float32_chw", size=24)) as loader:
        batch = loader.next_batch()
        assert batch.layout == "float32_chw" and batch.images.shape == (8, 3, 24, 24)
        assert batch.images.dtype == torch.float32 and batch.images.is_contiguous()
        # ImageNet-normalized bytes 0..255 lie in [(0 - 0.485) / 0.229, (1 - 0.406) / 0.225]
        assert -2.2 < float(batch.images.min()) and float(batch.images.max()) < 2.7
    with genint.Loader(natural_config(scenes, layout="uint8_hwc")) as loader:
        batch = loader.next_batch()
        assert batch.images.shape == (8, 32, 32, 3) and batch.images.dtype == torch.uint8
        assert (batch.labels.dtype, batch.weights.dtype, batch.sources.dtype, batch.items.dtype) == \
            (torch.int32, torch.float32, torch.int32, torch.int64)
        assert not batch.numpy()["images"].flags.writeable


def expected_layer_range(keys):
    """The [begin, end) latent or module range a sample's record gives for the strategy's keys. Modules and latents
    are numbered alike: 0 = gen_z, i + 1 = layers.i. An activation edit spans the one module its directions were
    taken at; a latent edit spans its keys' range, by default every latent (gen_z and one per layer of the demo
    generator's config, read from its safetensors header)."""
    if keys["space"] == "activation":
        layer = int(keys["directions"].split("directions-layers.")[1].split("-")[0])  # the file names its layer
        return layer + 1, layer + 2
    with open(REPO / "gan" / "demo" / "generator.safetensors", "rb") as file:
        header = json.loads(file.read(struct.unpack("<Q", file.read(8))[0]))
    latents = 1 + len(json.loads(header["__metadata__"]["config"])["layers"])
    return keys.get("layer_begin", 0), keys.get("layer_end", latents)


def test_mixed_batches_carry_labels_weights_sources_and_records(scenes):
    folder = torchvision.datasets.ImageFolder(str(scenes))  # an independent label for every dataset index
    strategy, seeds = demo_strategy(), set()
    keys = strategy["interventional"]["keys"]
    with genint.Loader(mixed_config(scenes, natural=6, generated=2)) as loader:
        for step in range(4):
            with loader.next_batch() as batch:
                sources, labels = batch.sources.tolist(), batch.labels.tolist()
                assert sources == [genint.NATURAL] * 6 + [genint.INTERVENTION] * 2
                assert batch.weights.tolist() == [1.0] * 6 + [pytest.approx(strategy["lambda"])] * 2
                records, items = batch.records, batch.items.tolist()
                for sample in range(6):
                    assert labels[sample] == folder.samples[items[sample]][1]
                    assert records[sample]["class_index"] == -1 and records[sample]["direction"] == -1
                    assert records[sample]["latent_seed"] == 0 and records[sample]["step"] == 0
                assert items[6:] == [2 * step, 2 * step + 1]  # positions in the endless generated stream
                generated = records[6:]
                assert (generated["class_index"] == np.array(labels[6:])).all()  # identity label map
                assert ((0 <= generated["class_index"]) & (generated["class_index"] < CLASSES)).all()
                assert (generated["space"] == genint.SPACE_NAMES.index(keys["space"])).all()
                assert (generated["truncation"] == keys["truncation"]).all()
                assert ((0 <= generated["direction"]) & (generated["direction"] < keys["top_k"])).all()
                assert (np.abs(generated["step"]) <= keys["step"]).all()
                begin, end = expected_layer_range(keys)
                assert (generated["layer_begin"] == begin).all() and (generated["layer_end"] == end).all()
                assert (generated["reserved"] == 0).all()
                seeds.update(int(seed) for seed in generated["latent_seed"])
                tensors = batch.record_tensors()
                assert tensors["direction"].tolist() == records["direction"].tolist()
                assert tensors["latent_seed"].numpy().view(np.uint64).tolist() == records["latent_seed"].tolist()
    assert len(seeds) == 8  # every generated sample has its own latent


def test_iteration_is_by_epoch_and_len_counts_batches(scenes):
    with genint.Loader(natural_config(scenes, batch=8)) as loader:
        assert len(loader) == 5  # 40 images, batches of 8
        for epoch in range(2):
            seen = []
            for batch in loader:
                assert batch.epoch == epoch
                seen += batch.items.tolist()
            assert sorted(seen) == list(range(40))  # each epoch is a permutation of the dataset
        stats = loader.stats()
        assert stats["batch_size"] == 8 and stats["sources"][0]["delivered"] >= 80
        assert stats["sources"][0]["kind"] == "natural" and stats["sources"][0]["batches_per_epoch"] == 5
    with genint.Loader(mixed_config(scenes)) as loader:
        assert len(loader) == 6  # 40 // 6: the natural source defines the epoch (drop_last)


def test_generated_only_loader_is_endless(scenes):
    config = mixed_config(scenes)
    config["sources"] = config["sources"][1:]
    config["batch_size"] = 2
    with genint.Loader(config) as loader:
        with pytest.raises(TypeError, match="no len"):
            len(loader)
        assert [batch.index for batch, _ in zip(loader, range(3))] == [0, 1, 2]


def test_shard_comes_from_rank_and_world_size_unless_the_config_has_one(scenes, monkeypatch):
    config = natural_config(scenes, batch=4)
    del config["shard"]
    seen = []
    for rank in (0, 1):
        monkeypatch.setenv("RANK", str(rank))
        monkeypatch.setenv("WORLD_SIZE", "2")
        with genint.Loader(config) as loader:
            assert (loader.rank, loader.world_size, len(loader)) == (rank, 2, 5)
            seen.append({item for batch in loader for item in batch.items.tolist()})
    assert not seen[0] & seen[1] and seen[0] | seen[1] == set(range(40))
    with genint.Loader(natural_config(scenes)) as loader:  # "shard": {"rank": 0, "world_size": 1} wins
        assert (loader.rank, loader.world_size) == (0, 1)
