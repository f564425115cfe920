#!/usr/bin/python3
# Converts a torchvision or CIFAR (tools/cifar_resnet.py) ResNet state_dict (.pth) to safetensors with the same names
# (float32, int64 num_batches_tracked), laid out byte for byte as nn/safetensors/safetensors_writer.cpp does.
"""Usage: /usr/bin/python3 tools/convert_torchvision.py MODEL.pth OUT.safetensors [--arch resnet18] [--source TEXT]

Metadata written: architecture (checked against the layout of the state_dict, or inferred from it), num_classes
(rows of fc.weight) and source (default: the .pth file name)."""
import argparse
import json
import os
import re
import struct
import sys

import torch

# The reference writer lays tensors out by dtype, widest (last in its enum) first, then by name.
DTYPE_RANK = {"I64": 15, "F64": 14, "F32": 12, "I32": 10}
TORCH_DTYPE_NAME = {torch.float32: "F32", torch.int64: "I64", torch.float64: "F64", torch.int32: "I32"}
RESNET_LAYOUTS = {
    "resnet18": (False, [2, 2, 2, 2]), "resnet34": (False, [3, 4, 6, 3]), "resnet50": (True, [3, 4, 6, 3]),
    "resnet101": (True, [3, 4, 23, 3]), "resnet152": (True, [3, 8, 36, 3]),
    # He et al.'s CIFAR nets as genint builds them (tools/cifar_resnet.py): three stages, no layer4.
    "resnet20": (False, [3, 3, 3, 0]), "resnet32": (False, [5, 5, 5, 0]), "resnet56": (False, [9, 9, 9, 0]),
}


def safetensors_bytes(tensors, metadata):
    """The whole file: u64 LE header length, compact JSON header padded with spaces to 8 bytes, the data."""
    entries = []
    for name, tensor in tensors.items():
        tensor = tensor.detach().cpu().contiguous()
        dtype = TORCH_DTYPE_NAME[tensor.dtype]
        entries.append((name, dtype, list(tensor.shape), tensor.numpy().tobytes()))
    entries.sort(key=lambda entry: (-DTYPE_RANK[entry[1]], entry[0].encode("utf-8")))
    header = {}
    if metadata:
        header["__metadata__"] = {key: str(metadata[key]) for key in sorted(metadata)}
    offset = 0
    for name, dtype, shape, data in entries:
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(entry[3] for entry in entries)


def write_safetensors(path, tensors, metadata):
    """Writes the file through a temporary beside it, so an interrupted conversion never leaves a partial file."""
    temporary = path + ".tmp"
    with open(temporary, "wb") as file:
        file.write(safetensors_bytes(tensors, metadata))
    os.replace(temporary, path)


def infer_architecture(state_dict):
    """The ResNet whose block counts and block type match the state_dict's keys."""
    bottleneck = any(key.endswith(".conv3.weight") for key in state_dict)
    blocks = []
    for stage in range(1, 5):
        indices = {int(match.group(1)) for key in state_dict
                   for match in [re.match(r"layer%d\.(\d+)\." % stage, key)] if match}
        blocks.append(len(indices))
    for name, layout in RESNET_LAYOUTS.items():
        if layout == (bottleneck, blocks):
            return name
    raise SystemExit("convert_torchvision: no ResNet genint builds has %s blocks %s"
                     % ("bottleneck" if bottleneck else "basic", blocks))


def load_state_dict(path):
    loaded = torch.load(path, map_location="cpu")
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    for key in ("state_dict", "model"):  # training checkpoints often wrap the state_dict
        if isinstance(loaded, dict) and key in loaded and isinstance(loaded[key], dict):
            loaded = loaded[key]
    if not isinstance(loaded, dict) or "fc.weight" not in loaded:
        raise SystemExit("convert_torchvision: %s holds no ResNet state_dict (no fc.weight)" % path)
    return {re.sub(r"^module\.", "", key): value for key, value in loaded.items()}


def convert(pth_path, output_path, architecture=None, source=None):
    state_dict = load_state_dict(pth_path)
    inferred = infer_architecture(state_dict)
    if architecture is not None and architecture != inferred:
        raise SystemExit("convert_torchvision: --arch %s but the state_dict is a %s" % (architecture, inferred))
    tensors = {}
    for name, value in state_dict.items():
        if name.endswith("num_batches_tracked"):
            tensors[name] = value.to(torch.int64)
        else:
            tensors[name] = value.to(torch.float32)
    metadata = {"architecture": inferred, "num_classes": state_dict["fc.weight"].shape[0],
                "source": source if source is not None else os.path.basename(pth_path)}
    write_safetensors(output_path, tensors, metadata)
    return metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("pth")
    parser.add_argument("output")
    parser.add_argument("--arch", choices=sorted(RESNET_LAYOUTS))
    parser.add_argument("--source")
    arguments = parser.parse_args()
    metadata = convert(arguments.pth, arguments.output, arguments.arch, arguments.source)
    print(json.dumps({"output": arguments.output, **{key: str(value) for key, value in metadata.items()}}))


if __name__ == "__main__":
    sys.exit(main())
