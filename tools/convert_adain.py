#!/usr/bin/python3
# Converts pytorch-AdaIN's vgg_normalised.pth (encoder, kept to relu4_1) and decoder.pth (nn.Sequential state_dicts
# keyed by layer index) into one safetensors file with named tensors, as nn/models/adain_network.h loads it.
"""Usage: /usr/bin/python3 tools/convert_adain.py VGG.pth DECODER.pth OUT.safetensors [--source TEXT]

Sequential indices (net.py) → names: encoder 0 → encoder.conv0 (1×1, 3→3), 2 conv1_1, 5 conv1_2, 9 conv2_1,
12 conv2_2, 16 conv3_1, 19 conv3_2, 22 conv3_3, 25 conv3_4, 29 conv4_1 (the VGG's layers after relu4_1, index 31
and up, are dropped); decoder 1 → decoder.conv4_1, 5 conv3_4, 8 conv3_3, 11 conv3_2, 14 conv3_1, 18 conv2_2,
21 conv2_1, 25 conv1_2, 28 conv1_1; each .weight and .bias, float32. Every shape is checked against the chain of
widths net.py implies (read from the file, so a narrower network converts too); any other key is refused.
Metadata: format = genint-adain, widths (relu1_1..relu4_1 channels) and source (default: the two file names)."""
import argparse
import json
import os
import re
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from convert_torchvision import write_safetensors  # noqa: E402  (the repo's one safetensors writer in Python)

# (Sequential index, name, input level, output level, kernel); level 0 is RGB, level k has widths[k − 1] channels.
ENCODER_LAYERS = [(0, "encoder.conv0", 0, 0, 1), (2, "encoder.conv1_1", 0, 1, 3), (5, "encoder.conv1_2", 1, 1, 3),
                  (9, "encoder.conv2_1", 1, 2, 3), (12, "encoder.conv2_2", 2, 2, 3), (16, "encoder.conv3_1", 2, 3, 3),
                  (19, "encoder.conv3_2", 3, 3, 3), (22, "encoder.conv3_3", 3, 3, 3), (25, "encoder.conv3_4", 3, 3, 3),
                  (29, "encoder.conv4_1", 3, 4, 3)]
DECODER_LAYERS = [(1, "decoder.conv4_1", 4, 3, 3), (5, "decoder.conv3_4", 3, 3, 3), (8, "decoder.conv3_3", 3, 3, 3),
                  (11, "decoder.conv3_2", 3, 3, 3), (14, "decoder.conv3_1", 3, 2, 3), (18, "decoder.conv2_2", 2, 2, 3),
                  (21, "decoder.conv2_1", 2, 1, 3), (25, "decoder.conv1_2", 1, 1, 3), (28, "decoder.conv1_1", 1, 0, 3)]
RELU4_1_INDEX = 30  # the encoder ends with the ReLU at this index


def load_sequential_state(path, what):
    loaded = torch.load(path, map_location="cpu")
    if isinstance(loaded, torch.nn.Module):
        loaded = loaded.state_dict()
    if not isinstance(loaded, dict):
        raise SystemExit("convert_adain: %s (%s) holds no state_dict" % (path, what))
    state = {}
    for key, value in loaded.items():
        match = re.fullmatch(r"(?:module\.)?(\d+)\.(weight|bias)", key)
        if not match:
            raise SystemExit("convert_adain: %s (%s): key %r is not an nn.Sequential layer's weight or bias"
                             % (path, what, key))
        state[(int(match.group(1)), match.group(2))] = value
    return state


def widths_of(encoder_state, path):
    widths = []
    for index in (2, 9, 16, 29):  # conv1_1, conv2_1, conv3_1, conv4_1
        if (index, "weight") not in encoder_state:
            raise SystemExit("convert_adain: %s: layer %d.weight (it gives a width) is missing" % (path, index))
        widths.append(int(encoder_state[(index, "weight")].shape[0]))
    return widths


def take(state, layers, widths, path, tensors):
    channels = [3] + widths
    for index, name, in_level, out_level, kernel in layers:
        expected = {"weight": (channels[out_level], channels[in_level], kernel, kernel), "bias": (channels[out_level],)}
        for part, shape in expected.items():
            if (index, part) not in state:
                raise SystemExit("convert_adain: %s: layer %d.%s (%s) is missing" % (path, index, part, name))
            value = state.pop((index, part))
            if tuple(value.shape) != shape:
                raise SystemExit("convert_adain: %s: layer %d.%s (%s) has shape %s, net.py with widths %s needs %s"
                                 % (path, index, part, name, list(value.shape), widths, list(shape)))
            tensors[name + "." + part] = value.to(torch.float32)


def convert(vgg_path, decoder_path, output_path, source=None):
    encoder_state = load_sequential_state(vgg_path, "encoder")
    decoder_state = load_sequential_state(decoder_path, "decoder")
    widths = widths_of(encoder_state, vgg_path)
    tensors = {}
    take(encoder_state, ENCODER_LAYERS, widths, vgg_path, tensors)
    take(decoder_state, DECODER_LAYERS, widths, decoder_path, tensors)
    left = sorted(key for key in encoder_state if key[0] < RELU4_1_INDEX) + sorted(decoder_state)
    if left:
        raise SystemExit("convert_adain: keys net.py's layers do not have: %s"
                         % ", ".join("%d.%s" % key for key in left))
    metadata = {"format": "genint-adain", "widths": ",".join(str(width) for width in widths),
                "source": source if source is not None
                else os.path.basename(vgg_path) + " + " + os.path.basename(decoder_path)}
    write_safetensors(output_path, tensors, metadata)
    return metadata


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("vgg")
    parser.add_argument("decoder")
    parser.add_argument("output")
    parser.add_argument("--source")
    arguments = parser.parse_args()
    metadata = convert(arguments.vgg, arguments.decoder, arguments.output, arguments.source)
    print(json.dumps({"output": arguments.output, **metadata}))


if __name__ == "__main__":
    sys.exit(main())
