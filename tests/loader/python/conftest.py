# Fixtures of the genint package's tests: a tiny fashion-scenes training split written by genint-data into a
# temporary folder, the C reference program, and loader configs (natural only; natural + demo interventions).
import json
import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(os.environ.get("GENINT_REPO", pathlib.Path(__file__).resolve().parents[3]))
sys.path.insert(0, str(REPO / "tools"))
from main_job_config import source_keys  # noqa: E402  (the main job's way to resolve the strategy's keys)

CLASSES = 10


def tool(variable):
    """A program CTest names in the environment (tests/loader/python/CMakeLists.txt)."""
    path = os.environ.get(variable)
    if not path or not os.path.exists(path):
        pytest.fail(f"{variable} must name the built program (ctest sets it; by hand: export it)")
    return path


def write_scenes(out, per_class):
    result = subprocess.run([tool("GENINT_DATA_TOOL"), "fashion-scenes", "--out", str(out), "--image-size", "32",
                             "--train", str(per_class), "--val", "1", "--test", "1", "--ood", "1", "--corruptions",
                             "none", "--seed", "1", "--threads", "1"], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return out / "train"


@pytest.fixture(scope="session")
def scenes(tmp_path_factory):
    """A fashion-scenes training split: 10 classes x 4 images of 32x32 (40 JPEGs), written in well under a second."""
    return write_scenes(tmp_path_factory.mktemp("scenes") / "scenes", 4)


def natural_config(root, batch=8, layout="uint8_hwc", size=32, seed=3, threads=1, **extra):
    config = {"seed": seed, "deterministic": True, "image": {"size": size, "layout": layout},
              "shard": {"rank": 0, "world_size": 1},
              "sources": [{"kind": "natural", "count": batch, "weight": 1.0, "threads": threads, "root": str(root)}]}
    config.update(extra)
    return config


def demo_strategy():
    with open(REPO / "gan" / "demo" / "intervention-strategy.json") as file:
        return json.load(file)


def mixed_config(root, natural=6, generated=2, layout="uint8_hwc", seed=5):
    """Natural images plus the demo generator's interventions (gan/demo, the strategy the main job uses)."""
    strategy = demo_strategy()
    keys = source_keys(strategy["interventional"]["keys"], REPO / "gan" / "demo" / "generator.safetensors")
    generated_source = dict(keys, kind="intervention", count=generated, weight=strategy["lambda"], threads=1,
                            chunk=generated, label_count=CLASSES)
    config = natural_config(root, batch=natural, layout=layout, seed=seed)
    config["sources"].append(generated_source)
    return config


def write_config(path, config):
    path.write_text(json.dumps(config))
    return path
