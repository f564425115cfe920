#!/usr/bin/python3
# Writes torchvision's AutoAugment (ImageNet policy) outputs on small fixed uint8 images, per operation and per
# sub-policy, to tests/data/golden/io/auto_augment.safetensors for io/transforms/auto_augment's tests.
"""Run from the repository root with Debian's torch and torchvision:

   /usr/bin/python3 tools/golden/make_autoaugment_goldens.py

The reference is torchvision's tensor backend (uint8 CHW tensors), the backend whose uint8 arithmetic is written in
torchvision's own source (functional_tensor.py); the PIL backend computes the same operations in Pillow's C code
and differs from it by a few grey levels in places (the script prints how much, per operation, for the record).

Contents (HWC uint8 everywhere, as genint stores images):
  image.<name>           the test images: square32 (32x32), odd37x29 (37 wide, 29 high), flat8x6 (one constant
                         channel, one two-valued channel: autocontrast's and equalize's degenerate cases)
  op.<index>             torchvision.transforms.autoaugment._apply_op(image, op, magnitude, interpolation, fill)
  policy.<index>         AutoAugment(IMAGENET, interpolation, fill).forward with get_params patched to return the
                         case's sub-policy, probabilities 0 (so both steps apply, p = 0.0 included: the test is
                         probs[i] <= p) and the case's signs
  space.<H>x<W>          _augmentation_space(10, (H, W)) as float32 [14, 10] (rows in genint's op order; scalar
                         entries repeated)
  translate_bins         int(magnitude) of TranslateX's 10 bins for widths 1..300, int32 [300, 10]
Metadata "cases" (JSON) lists every op.* and policy.* entry: image, op or sub-policy, bin, sign, magnitude,
interpolation, fill; "imagenet_policy" (JSON) is _get_policies(AutoAugmentPolicy.IMAGENET) as torchvision has it.
"""
import json
import os
import struct
from unittest import mock

import numpy as np
import torch
import torchvision
import torchvision.transforms.functional as F
from PIL import Image
from torchvision.transforms import InterpolationMode
from torchvision.transforms import autoaugment

COMMAND = "/usr/bin/python3 tools/golden/make_autoaugment_goldens.py"
OUTPUT = os.path.join("tests", "data", "golden", "io", "auto_augment.safetensors")
# genint's AutoAugmentOp order (io/transforms/auto_augment.h).
OPS = ["ShearX", "ShearY", "TranslateX", "TranslateY", "Rotate", "Brightness", "Color", "Contrast", "Sharpness",
       "Posterize", "Solarize", "AutoContrast", "Equalize", "Invert"]
GEOMETRIC = OPS[:5]
SIGNED_COLOUR = ["Brightness", "Color", "Contrast", "Sharpness"]
MODES = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR}


def natural_image(height, width, seed, low, high):
    """Smooth colour waves, a hard-edged rectangle and noise: structure that geometry moves visibly and a
    histogram that is neither flat nor full-range (so equalize and autocontrast have work to do)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float64)
    image = np.empty((height, width, 3))
    for channel in range(3):
        fx, fy = rng.uniform(0.5, 2.5, 2)
        phase = rng.uniform(0, 2 * np.pi)
        image[..., channel] = 0.5 + 0.3 * np.sin(2 * np.pi * (fx * x / width + fy * y / height) + phase)
    top, left = height // 4, width // 3
    image[top:top + height // 3, left:left + width // 4] = rng.uniform(0.1, 0.9, 3)
    image += rng.normal(0.0, 0.05, image.shape)
    image = low + (high - low) * np.clip(image, 0.0, 1.0)
    return np.round(image).astype(np.uint8)


def flat_image():
    rng = np.random.default_rng(7)
    image = np.empty((6, 8, 3), np.uint8)
    image[..., 0] = 90  # constant: autocontrast leaves it, equalize's step is 0
    image[..., 1] = np.where(rng.uniform(size=(6, 8)) < 0.3, 40, 200)  # two values
    image[..., 2] = rng.integers(0, 256, (6, 8))
    return image


def to_tensor(hwc):
    return torch.from_numpy(np.ascontiguousarray(hwc.transpose(2, 0, 1)))


def to_hwc(chw):
    return np.ascontiguousarray(chw.numpy().transpose(1, 2, 0))


def magnitude_of(op, magnitude_bin, sign, height, width):
    """The magnitude AutoAugment.forward passes to _apply_op for this bin and sign (sign -1: signs[i] == 0)."""
    magnitudes, signed = autoaugment.AutoAugment()._augmentation_space(10, (height, width))[op]
    magnitude = float(magnitudes[magnitude_bin].item()) if magnitudes.ndim > 0 else 0.0
    if signed and sign < 0:
        magnitude *= -1.0
    return magnitude


def pil_apply(hwc, op, magnitude, mode, fill):
    """The same op through torchvision's PIL backend, only to print how far the two backends are apart."""
    image = Image.fromarray(hwc)
    output = autoaugment._apply_op(image, op, magnitude, interpolation=MODES[mode], fill=fill)
    return np.asarray(output)


def op_cases(images):
    """(image, op, bin, sign, interpolation, fill) per case: several magnitudes and both signs per op, the two
    main images taking turns so each op sees both sizes; bins 2 and 6 put exact half-pixel ties in shears."""
    cases, turn = [], 0
    main = ["square32", "odd37x29"]

    def add(op, magnitude_bin, sign, mode="nearest", fill=None, image=None):
        nonlocal turn
        cases.append((image or main[turn % 2], op, magnitude_bin, sign, mode, fill))
        turn += 1

    for op in GEOMETRIC:
        for magnitude_bin, sign in ((9, 1), (9, -1), (5, 1), (2, -1), (6, 1)):
            add(op, magnitude_bin, sign)
        for magnitude_bin, sign in ((9, -1), (4, 1)):
            add(op, magnitude_bin, sign, "bilinear")
    add("Rotate", 7, 1, "nearest", [255, 128, 0])
    add("Rotate", 7, -1, "bilinear", [255, 128, 0])
    add("ShearY", 9, 1, "bilinear", [10, 200, 60])
    for op in SIGNED_COLOUR:
        for magnitude_bin, sign in ((9, 1), (9, -1), (4, 1), (1, -1)):
            add(op, magnitude_bin, sign)
    for op in ("Posterize", "Solarize"):
        for magnitude_bin in (0, 3, 6, 9):
            add(op, magnitude_bin, 1)
    for op in ("AutoContrast", "Equalize", "Invert"):
        for image in images:
            add(op, 0, 1, image=image)
    add("Sharpness", 9, 1, image="flat8x6")
    add("Contrast", 9, -1, image="flat8x6")
    return cases


def policy_cases():
    """All 25 sub-policies with nearest interpolation (images and signs taking turns), then the ones with a
    geometric step again with bilinear interpolation and a fill."""
    rng = np.random.default_rng(18)
    policies = autoaugment.AutoAugment()._get_policies(autoaugment.AutoAugmentPolicy.IMAGENET)
    cases = []
    for index in range(len(policies)):
        signs = [int(value) for value in rng.integers(0, 2, 2)]
        cases.append(("square32" if index % 2 == 0 else "odd37x29", index, signs, "nearest", None))
    for index, policy in enumerate(policies):
        if any(step[0] in GEOMETRIC for step in policy):
            signs = [int(value) for value in rng.integers(0, 2, 2)]
            cases.append(("odd37x29", index, signs, "bilinear", [30, 60, 90]))
    return cases


def run_policy(image, index, signs, mode, fill):
    transform = autoaugment.AutoAugment(autoaugment.AutoAugmentPolicy.IMAGENET, interpolation=MODES[mode], fill=fill)
    params = (index, torch.zeros(2), torch.tensor(signs))
    with mock.patch.object(autoaugment.AutoAugment, "get_params", return_value=params):
        return transform(to_tensor(image))


def write_safetensors(tensors, metadata):
    """Hand-written safetensors: 8-byte little-endian header length, JSON header, then the raw data."""
    header = {"__metadata__": metadata}
    blobs, offset = [], 0
    for key, array in tensors.items():
        dtype = {np.dtype(np.uint8): "U8", np.dtype(np.float32): "F32", np.dtype(np.int32): "I32"}[array.dtype]
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        header[key] = {"dtype": dtype, "shape": list(array.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * ((8 - len(header_bytes) % 8) % 8)
    os.makedirs(os.path.dirname(OUTPUT), exist_ok=True)
    with open(OUTPUT, "wb") as file:
        file.write(struct.pack("<Q", len(header_bytes)))
        file.write(header_bytes)
        for blob in blobs:
            file.write(blob)
    print(f"wrote {OUTPUT} ({8 + len(header_bytes) + offset} bytes)")


def augmentation_spaces(tensors):
    transform = autoaugment.AutoAugment()
    for height, width in ((32, 32), (29, 37), (6, 8), (224, 224), (1, 1)):
        space = transform._augmentation_space(10, (height, width))
        rows = [np.broadcast_to(space[op][0].to(torch.float32).numpy(), (10,)) for op in OPS]
        tensors[f"space.{height}x{width}"] = np.stack(rows).astype(np.float32)
    bins = [[int(float(value)) for value in transform._augmentation_space(10, (1, width))["TranslateX"][0]]
            for width in range(1, 301)]
    tensors["translate_bins"] = np.array(bins, np.int32)


def main():
    torch.set_num_threads(1)
    images = {"square32": natural_image(32, 32, 1, 0, 255), "odd37x29": natural_image(29, 37, 2, 35, 205),
              "flat8x6": flat_image()}
    tensors = {f"image.{name}": image for name, image in images.items()}
    cases, backend_gap = [], {}
    for index, (image, op, magnitude_bin, sign, mode, fill) in enumerate(op_cases(images)):
        height, width = images[image].shape[:2]
        magnitude = magnitude_of(op, magnitude_bin, sign, height, width)
        output = to_hwc(autoaugment._apply_op(to_tensor(images[image]), op, magnitude, interpolation=MODES[mode],
                                              fill=None if fill is None else [float(value) for value in fill]))
        tensors[f"op.{index}"] = output
        cases.append({"kind": "op", "index": index, "image": image, "op": op, "bin": magnitude_bin, "sign": sign,
                      "magnitude": magnitude, "interpolation": mode, "fill": fill})
        gap = np.abs(pil_apply(images[image], op, magnitude, mode, fill).astype(int) - output.astype(int))
        key = f"{op} {mode}"
        backend_gap[key] = max(backend_gap.get(key, (0, 0.0)), (int(gap.max()), float((gap > 0).mean())))
    for index, (image, policy, signs, mode, fill) in enumerate(policy_cases()):
        tensors[f"policy.{index}"] = to_hwc(run_policy(images[image], policy, signs, mode, fill))
        cases.append({"kind": "policy", "index": index, "image": image, "sub_policy": policy, "signs": signs,
                      "interpolation": mode, "fill": fill})
    augmentation_spaces(tensors)
    policy = autoaugment.AutoAugment()._get_policies(autoaugment.AutoAugmentPolicy.IMAGENET)
    write_safetensors(tensors, {"command": COMMAND, "torch": torch.__version__,
                                "torchvision": torchvision.__version__, "cases": json.dumps(cases),
                                "imagenet_policy": json.dumps(policy)})
    print(f"{sum(case['kind'] == 'op' for case in cases)} op cases, "
          f"{sum(case['kind'] == 'policy' for case in cases)} sub-policy cases")
    print("PIL backend vs tensor backend (the reference), worst case per op: max |difference|, share of values")
    for key, (worst, share) in sorted(backend_gap.items()):
        print(f"  {key:24s} {worst:4d} {share:7.3f}")


if __name__ == "__main__":
    main()
