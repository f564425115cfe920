#!/usr/bin/python3
# Writes the reference distribution of torchvision's RandomResizedCrop.get_params that the C++ crop test
# compares against. Run once: /usr/bin/python3 tools/golden/rrc_reference.py tests/data/jpeg/rrc_reference.json
import json
import math
import sys

import torch
import torchvision
from torchvision.transforms import RandomResizedCrop

COMMAND = "/usr/bin/python3 tools/golden/rrc_reference.py tests/data/jpeg/rrc_reference.json"
DRAWS = 100_000
# (width, height): ImageNet-like both ways, square, a size where the 10 tries often fail, and the
# extremes where they always fail (the clamped centre-crop fallback).
SIZES = [(500, 375), (375, 500), (224, 224), (64, 1000), (2, 3000), (3000, 2)]
PROBABILITIES = [(k + 0.5) / 100 for k in range(100)]


def statistics(width, height):
    """The four quantities per draw: area fraction, log aspect ratio, crop-centre x and y (fractions)."""
    values = {"area_fraction": [], "log_aspect": [], "center_x": [], "center_y": []}
    image = torch.empty(3, height, width)  # get_params reads only the size
    scale, ratio = (0.08, 1.0), (3.0 / 4.0, 4.0 / 3.0)
    for _ in range(DRAWS):
        top, left, crop_height, crop_width = RandomResizedCrop.get_params(image, scale, ratio)
        values["area_fraction"].append(crop_width * crop_height / (width * height))
        values["log_aspect"].append(math.log(crop_width / crop_height))
        values["center_x"].append((left + crop_width / 2) / width)
        values["center_y"].append((top + crop_height / 2) / height)
    return values


def empirical_cdf_at_quantiles(samples):
    """Evaluation points (the sample's quantiles, deduplicated) and the exact fraction <= each point."""
    ordered = sorted(samples)
    points = sorted({ordered[min(len(ordered) - 1, int(p * len(ordered)))] for p in PROBABILITIES})
    cdf, index = [], 0
    for point in points:
        while index < len(ordered) and ordered[index] <= point:
            index += 1
        cdf.append(index / len(ordered))
    return {"points": points, "cdf": cdf, "mean": sum(samples) / len(samples)}


def main():
    output = sys.argv[1] if len(sys.argv) > 1 else "tests/data/jpeg/rrc_reference.json"
    torch.manual_seed(20210601)
    result = {"command": COMMAND, "torch": torch.__version__, "torchvision": torchvision.__version__,
              "draws": DRAWS, "scale": [0.08, 1.0], "ratio": [3.0 / 4.0, 4.0 / 3.0], "sizes": []}
    for width, height in SIZES:
        values = statistics(width, height)
        result["sizes"].append({"width": width, "height": height,
                                "quantities": {name: empirical_cdf_at_quantiles(samples)
                                               for name, samples in values.items()}})
    with open(output, "w") as stream:
        json.dump(result, stream, indent=1)
        stream.write("\n")


if __name__ == "__main__":
    main()
