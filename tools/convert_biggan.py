#!/usr/bin/env python3
# Converts a pytorch-pretrained-biggan checkpoint (pytorch_model.bin + config.json) to one float32 safetensors
# file for gan/biggan: spectral norm folded into plain weights, conv_to_rgb cut to its 3 used outputs.
"""Usage: convert_biggan.py MODEL_DIR OUTPUT.safetensors
   or:    convert_biggan.py --weights pytorch_model.bin --config config.json OUTPUT.safetensors

Names stay those of the reference state dict, minus the spectral-norm suffixes: `X.weight_orig`,
`X.weight_u`, `X.weight_v` become one `X.weight` = weight_orig / sigma with sigma = u . (W v), W = weight_orig
reshaped to (out, -1): exactly what torch.nn.utils.spectral_norm computes in eval mode (no power iteration).
The config is stored as a JSON string under __metadata__["config"]. Needs only torch and numpy.
"""
import argparse
import json
import os
import struct
import sys

import numpy as np
import torch

FORMAT_NAME = "genint-biggan-deep"
SPECTRAL_SUFFIXES = ("_orig", "_u", "_v")


def fold_spectral_norm(weight_orig, u, v):
    """Eval-mode weight of torch.nn.utils.spectral_norm, with torch's own float32 ops in torch's order."""
    weight_matrix = weight_orig.reshape(weight_orig.shape[0], -1)
    sigma = torch.dot(u, torch.mv(weight_matrix, v))
    return weight_orig / sigma


def fold_state_dict(state_dict):
    """Returns {name: float32 tensor} with every spectrally normalised weight folded."""
    folded = {}
    for name, value in state_dict.items():
        if name.endswith("_orig"):
            stem = name[: -len("_orig")]
            for partner in (stem + "_u", stem + "_v"):
                if partner not in state_dict:
                    raise ValueError(f"{name} has no {partner}: cannot fold spectral norm")
            folded[stem] = fold_spectral_norm(value.float(), state_dict[stem + "_u"].float(),
                                              state_dict[stem + "_v"].float())
        elif name.endswith("_u") or name.endswith("_v"):
            if name[:-2] + "_orig" not in state_dict:
                raise ValueError(f"{name} is a spectral-norm vector without {name[:-2]}_orig")
        else:
            folded[name] = value.float()
    return folded


def slice_rgb_output(folded, channel_width):
    """The reference computes channel_width outputs in conv_to_rgb and keeps z[:, :3]; store only those 3."""
    weight = folded["generator.conv_to_rgb.weight"]
    if weight.shape[0] != channel_width:
        raise ValueError(f"generator.conv_to_rgb.weight has {weight.shape[0]} outputs, config says {channel_width}")
    folded["generator.conv_to_rgb.weight"] = weight[:3].contiguous()
    folded["generator.conv_to_rgb.bias"] = folded["generator.conv_to_rgb.bias"][:3].contiguous()


def safetensors_bytes_header(tensors, metadata):
    """The 8-byte length and the space-padded JSON header; tensors are laid out in sorted name order."""
    header = {"__metadata__": metadata}
    offset = 0
    for name in sorted(tensors):
        size = tensors[name].numel() * 4
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + size]}
        offset += size
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)  # data starts 8-byte aligned, as the reference writer does
    return struct.pack("<Q", len(text)) + text


def write_safetensors(path, tensors, metadata):
    """Writes through a temporary file and renames it, so a reader never sees a half-written file."""
    temporary = path + ".partial"
    with open(temporary, "wb") as output:
        output.write(safetensors_bytes_header(tensors, metadata))
        for name in sorted(tensors):
            array = tensors[name].detach().cpu().contiguous().numpy().astype("<f4", copy=False)
            output.write(array.tobytes(order="C"))
    os.replace(temporary, path)


def convert(weights_path, config_path, output_path, extra_metadata=None):
    with open(config_path, "r", encoding="utf-8") as config_file:
        config = json.load(config_file)
    state_dict = torch.load(weights_path, map_location="cpu")
    folded = fold_state_dict(state_dict)
    slice_rgb_output(folded, int(config["channel_width"]))
    metadata = {
        "format": FORMAT_NAME,
        "config": json.dumps(config, sort_keys=True),
        "spectral_norm": "folded: weight = weight_orig / (u . (weight_orig.reshape(out, -1) v)), torch eval mode",
        "conv_to_rgb": f"sliced to output channels 0..2 of {config['channel_width']} (the reference keeps z[:, :3])",
        "converter": "tools/convert_biggan.py",
        "source": os.path.basename(weights_path),
    }
    metadata.update(extra_metadata or {})
    write_safetensors(output_path, folded, metadata)
    return folded


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("model_dir", nargs="?", help="folder with pytorch_model.bin and config.json")
    parser.add_argument("output", help="the .safetensors file to write")
    parser.add_argument("--weights", help="pytorch_model.bin (instead of MODEL_DIR)")
    parser.add_argument("--config", help="config.json (instead of MODEL_DIR)")
    arguments = parser.parse_args(argv)
    if arguments.model_dir:
        weights = arguments.weights or os.path.join(arguments.model_dir, "pytorch_model.bin")
        config = arguments.config or os.path.join(arguments.model_dir, "config.json")
    elif arguments.weights and arguments.config:
        weights, config = arguments.weights, arguments.config
    else:
        parser.error("give MODEL_DIR or both --weights and --config")
    folded = convert(weights, config, arguments.output)
    count = sum(tensor.numel() for tensor in folded.values())
    print(f"wrote {arguments.output}: {len(folded)} tensors, {count} float32 values")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
