# The safetensors reader the Python tools share (generator-report, the BigGAN and AdaIN golden generators, the demo
# transfer outputs): the format's plain definition (u64 little-endian header length, JSON header, raw data).
"""read_safetensors(path) -> ({name: numpy array}, metadata). genint writes float32 tensors and int64
num_batches_tracked (tools/convert_torchvision.py lays them out the same); any other dtype is refused by name."""
import json
import struct

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I64": np.int64, "I32": np.int32}


def read_safetensors(path, program="safetensors_io"):
    """{name: numpy array (a copy, writable)} and the header's __metadata__; SystemExit naming `program`, the file
    and the tensor when a dtype is not one of DTYPES."""
    with open(path, "rb") as file:
        data = file.read()
    (header_length,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + header_length])
    metadata = header.pop("__metadata__", {})
    base = 8 + header_length
    tensors = {}
    for name, entry in header.items():
        begin, end = entry["data_offsets"]
        dtype = DTYPES.get(entry["dtype"])
        if dtype is None:
            raise SystemExit(f"{program}: error: {path}: {name} has dtype {entry['dtype']}")
        tensors[name] = np.frombuffer(data[base + begin:base + end], dtype=dtype).reshape(entry["shape"]).copy()
    return tensors, metadata
