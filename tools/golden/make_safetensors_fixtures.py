#!/usr/bin/env python3
# Makes the safetensors interoperability fixtures in tests/data/safetensors with the REAL safetensors
# package, and (--check FILE) verifies with it that a file written by genint holds the fixture's tensors.
#
# Setup (pyenv python3 first on PATH):  python3 -m pip install safetensors numpy
# Make:   python3 tools/golden/make_safetensors_fixtures.py tests/data/safetensors
# Check:  python3 tools/golden/make_safetensors_fixtures.py --check /tmp/written_by_genint.safetensors
import argparse
import os
import sys

import numpy as np
import safetensors
from safetensors import TensorSpec, deserialize, safe_open, serialize_file

MAKE_COMMAND = "python3 tools/golden/make_safetensors_fixtures.py tests/data/safetensors"


def bfloat16_bits():
    # numpy has no bfloat16: store the bit patterns of 1.0, -2.5, 0.15625, 3.140625 directly.
    return np.array([0x3F80, 0xC020, 0x3E20, 0x4049], dtype=np.uint16)


def fixture_tensors():
    """name -> (safetensors dtype string for TensorSpec, numpy array holding the little-endian bytes)."""
    return {
        "weight_f32": ("float32", np.array([[1.5, -2.25, 0.0], [1024.0, -0.125, 3.75]], dtype=np.float32)),
        "half_f16": ("float16", np.array([1.0, -2.0, 0.5, 65504.0, 2.0**-14, 2.0**-24, np.inf], dtype=np.float16)),
        "brain_bf16": ("bfloat16", bfloat16_bits()),
        "counts_i64": ("int64", np.array([[-3, 0], [2**40, 2**63 - 1]], dtype=np.int64)),
        "wide_f64": ("float64", np.array([0.1, -1e300], dtype=np.float64)),
        "index_i32": ("int32", np.array([-1, 0, 2**31 - 1], dtype=np.int32)),
        "delta_i16": ("int16", np.array([-32768, 12345], dtype=np.int16)),
        "offset_i8": ("int8", np.array([-128, 127], dtype=np.int8)),
        "pixels_u8": ("uint8", np.array([0, 1, 127, 128, 255], dtype=np.uint8)),
        "mask_bool": ("bool", np.array([True, False, True])),
        "scalar_f32": ("float32", np.array(42.5, dtype=np.float32)),
        "empty_f32": ("float32", np.zeros((0, 3), dtype=np.float32)),
    }


def made_by():
    return f"{MAKE_COMMAND} (safetensors {safetensors.__version__}, numpy {np.__version__})"


def write(path, tensors, metadata):
    # What safetensors.numpy.save_file does (TensorSpec per array), with a bfloat16 entry it cannot express.
    specs = {
        name: TensorSpec(dtype=dtype, shape=array.shape, data_ptr=array.ctypes.data, data_len=array.nbytes)
        for name, (dtype, array) in tensors.items()
    }
    serialize_file(specs, path, metadata)


def make(directory):
    os.makedirs(directory, exist_ok=True)
    write(os.path.join(directory, "all_dtypes.safetensors"), fixture_tensors(), {"made_by": made_by()})
    only = {"only": ("float32", np.array([1.0, 2.0, 3.0], dtype=np.float32))}
    write(os.path.join(directory, "no_metadata.safetensors"), only, None)
    for name in ("all_dtypes.safetensors", "no_metadata.safetensors"):
        check(os.path.join(directory, name), fixture_tensors() if name.startswith("all") else only)


def check(path, expected):
    with open(path, "rb") as file:
        loaded = dict(deserialize(file.read()))
    if sorted(loaded) != sorted(expected):
        sys.exit(f"{path}: tensors {sorted(loaded)} != expected {sorted(expected)}")
    for name, (_, array) in expected.items():
        got = loaded[name]
        if list(got["shape"]) != list(array.shape) or bytes(got["data"]) != array.tobytes():
            sys.exit(f"{path}: tensor {name} differs: shape {got['shape']} vs {list(array.shape)}")
    with safe_open(path, framework="numpy") as opened:
        print(f"{path}: {len(loaded)} tensors match; metadata {opened.metadata()}")


def main():
    parser = argparse.ArgumentParser(description="Make or check the safetensors fixtures.")
    parser.add_argument("directory", nargs="?", help="where to write the fixtures")
    parser.add_argument("--check", metavar="FILE", help="verify a genint-written copy of all_dtypes.safetensors")
    arguments = parser.parse_args()
    if arguments.check:
        check(arguments.check, fixture_tensors())
    elif arguments.directory:
        make(arguments.directory)
    else:
        parser.error("give a directory or --check FILE")


if __name__ == "__main__":
    main()
