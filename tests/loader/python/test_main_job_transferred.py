# Tests tools/main_job_transferred.py (the main job's sample of a transferred source, step 5) on a tiny fashion-scenes
# split with the demo generator and transfer network: labels are the contents', the pictured contents and styles match.
import csv
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

import genint
from conftest import CLASSES, REPO, natural_config, tool

sys.path.insert(0, str(REPO / "tools"))
from main_job_config import transferred_keys  # noqa: E402  (the main job's transferred keys)

SCRIPT = REPO / "tools" / "main_job_transferred.py"
GENERATOR = REPO / "gan" / "demo" / "generator.safetensors"
TRANSFER = {"network": "gan/demo/transfer-network.safetensors", "contents_per_style": 1, "weight": 0.5,
            "alpha": [0.5, 1.0], "count": 4}
COUNT = 24


def run_tool(keys, root, out, tmp_path):
    keys_path = tmp_path / (os.path.basename(out) + "-keys.json")
    keys_path.write_text(json.dumps(keys))
    result = subprocess.run([sys.executable, str(SCRIPT), "--keys", str(keys_path), "--root", str(root), "--count",
                             str(COUNT), "--seed", "11", "--out", str(out), "--gan-tool", tool("GENINT_GAN_TOOL"),
                             "--threads", "1"], capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stdout + result.stderr
    with open(out / "samples.csv") as file:
        return list(csv.DictReader(file))


def whole_images(root):
    """{dataset index: uint8 HWC} of every image of `root`, whole (no flip or crop), through a natural source."""
    config = natural_config(root, batch=8)
    config["sources"][0].update(flip=False, crop_scale_min=1.0)
    images = {}
    with genint.Loader(config) as loader:
        for batch in loader:
            with batch:
                host = batch.numpy()
                for index in range(batch.size):
                    images[int(host["items"][index])] = np.array(host["images"][index])
    return images


def read(path):
    with Image.open(path) as image:
        return np.asarray(image.convert("RGB"))


@pytest.mark.parametrize("style", ["generated", "natural"])
def test_outputs_labels_and_pictured_contents_and_styles(scenes, tmp_path, style):
    intervention = {"space": "observational", "truncation": 1.0} if style == "generated" else None
    keys = transferred_keys(TRANSFER, str(GENERATOR), intervention)
    out = tmp_path / style
    rows = run_tool(keys, scenes, out, tmp_path)
    assert len(rows) == COUNT
    folders = sorted(os.listdir(scenes))
    naturals = whole_images(scenes)
    pictured = 0
    for row in rows:
        label, folder = int(row["label"]), row["file"].split("/")[0]
        assert folder == folders[label]  # filed under the content's label
        assert 0.5 <= float(row["alpha"]) <= 1.0
        assert read(out / row["file"]).shape == (32, 32, 3)
        if style == "generated":
            assert 0 <= int(row["style_class"]) < CLASSES
        else:
            assert int(row["style_class"]) == -1 and int(row["style_seed"]) in naturals
        content = out.parent / (out.name + "-content") / row["file"]
        if content.exists():
            pictured += 1
            assert np.array_equal(read(content), naturals[int(row["item"])])
            style_image = read(out.parent / (out.name + "-style") / row["file"])
            if style == "natural":  # the style root's image at the recorded index
                assert np.array_equal(style_image, naturals[int(row["style_seed"])])
            else:  # a generated style differs from its content
                assert not np.array_equal(style_image, naturals[int(row["item"])])
    # The first two of each class present are pictured.
    present = {row["file"].split("/")[0] for row in rows}
    assert pictured == sum(min(2, sum(1 for row in rows if row["file"].startswith(folder + "/"))) for folder in present)
    # Deterministic: a second run writes the same outputs.
    again = run_tool(keys, scenes, tmp_path / (style + "-again"), tmp_path)
    assert again == rows
    assert np.array_equal(read(out / rows[-1]["file"]), read(tmp_path / (style + "-again") / rows[-1]["file"]))


def test_refuses_keys_that_are_not_a_transferred_source(scenes, tmp_path):
    keys_path = tmp_path / "keys.json"
    keys_path.write_text(json.dumps({"kind": "intervention"}))
    result = subprocess.run([sys.executable, str(SCRIPT), "--keys", str(keys_path), "--root", str(scenes), "--count",
                             "3", "--seed", "1", "--out", str(tmp_path / "out"), "--gan-tool",
                             tool("GENINT_GAN_TOOL")], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "not a transferred source" in result.stderr
